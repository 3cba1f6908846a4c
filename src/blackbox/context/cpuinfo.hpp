#pragma once

// What the kernel says about the CPUs: /proc/cpuinfo (whose keys differ per architecture),
// /sys/devices/system/cpu/online and the cpufreq files. Pure parsing: no I/O here.

#include <optional>
#include <string>
#include <string_view>

namespace blackbox::context {

struct CpuInfo {
    // A human name for the processor. In order of preference: "Hardware" (the SoC on Android
    // arm kernels), "model name" (x86) unless it is a generic "ARMv7 Processor rev 4 (v7l)",
    // the ARM core names from "CPU implementer"/"CPU part" ("Cortex-A55 + Cortex-A76"),
    // the generic name, "Processor" (old arm kernels), "cpu" (POWER), "uarch" (RISC-V).
    std::optional<std::string> model;
    // "vendor_id" (x86: "GenuineIntel"), else the implementer of the first ARM core ("ARM",
    // "Qualcomm", or the code "0x4e" when unknown).
    std::optional<std::string> vendor;
    // "cpu MHz" of the first processor that has one (x86; absent on most arm64 kernels).
    std::optional<double> mhz;
    // The number of "processor" entries.
    int processors = 0;
};

// Parses the text of /proc/cpuinfo. Unknown or malformed lines are skipped; never throws.
CpuInfo parse_cpuinfo(std::string_view text);

// The number of CPUs in a kernel CPU list such as "0-3,5,7-8\n" (7), as in
// /sys/devices/system/cpu/online; nullopt when the text is not such a list.
std::optional<int> count_cpu_list(std::string_view text);

// A cpufreq file (cpuinfo_max_freq, scaling_cur_freq: kHz as a decimal integer) in MHz;
// nullopt when the text is not a positive number.
std::optional<double> parse_cpufreq_khz_as_mhz(std::string_view text);

}  // namespace blackbox::context
