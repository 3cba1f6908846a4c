#include <gtest/gtest.h>

#include <blackbox/context/cpuinfo.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using testing::recorded;

TEST(Cpuinfo, ReadsModelAndMhzOnX86) {
    CpuInfo info = parse_cpuinfo(recorded("cpuinfo-x86_64-xeon"));
    EXPECT_EQ(info.model, "Intel(R) Xeon(R) Processor");
    EXPECT_EQ(info.vendor, "GenuineIntel");
    EXPECT_EQ(info.mhz, 2600.0);
    EXPECT_EQ(info.processors, 2);
}

TEST(Cpuinfo, AndroidArmKernelNamesTheSocFromHardware) {
    CpuInfo info = parse_cpuinfo(recorded("cpuinfo-aarch64-android-sm8150"));
    EXPECT_EQ(info.model, "Qualcomm Technologies, Inc SM8150");
    EXPECT_EQ(info.vendor, "Qualcomm");
    EXPECT_EQ(info.mhz, std::nullopt);
    EXPECT_EQ(info.processors, 8);
}

TEST(Cpuinfo, Arm64WithoutHardwareNamesEachKindOfCoreOnce) {
    CpuInfo info = parse_cpuinfo(recorded("cpuinfo-aarch64-android-tensor-g2"));
    EXPECT_EQ(info.model, "Cortex-A55 + Cortex-A78 + Cortex-X1");
    EXPECT_EQ(info.vendor, "ARM");
    EXPECT_EQ(info.mhz, std::nullopt);
    EXPECT_EQ(info.processors, 8);
}

TEST(Cpuinfo, UnknownArmPartIsNamedByItsCodes) {
    CpuInfo info = parse_cpuinfo(
        "processor\t: 0\nCPU implementer\t: 0x4e\nCPU architecture: 8\nCPU part\t: 0x004\n");
    EXPECT_EQ(info.model, "NVIDIA part 0x004");
    EXPECT_EQ(info.vendor, "NVIDIA");

    info = parse_cpuinfo("processor\t: 0\nCPU implementer\t: 0x99\nCPU part\t: 0x123\n");
    EXPECT_EQ(info.model, "0x99 part 0x123");
    EXPECT_EQ(info.vendor, "0x99");
}

TEST(Cpuinfo, GenericArmModelNameGivesWayToCoreNames) {
    CpuInfo info = parse_cpuinfo(
        "processor\t: 0\nmodel name\t: ARMv7 Processor rev 3 (v7l)\nCPU implementer\t: 0x41\n"
        "CPU part\t: 0xd08\n");
    EXPECT_EQ(info.model, "Cortex-A72");
}

TEST(Cpuinfo, OldArmKernelProcessorLineIsTheLastResort) {
    CpuInfo info =
        parse_cpuinfo("Processor\t: AArch64 Processor rev 4 (aarch64)\nprocessor\t: 0\n");
    EXPECT_EQ(info.model, "AArch64 Processor rev 4 (aarch64)");
    EXPECT_EQ(info.processors, 1);
}

TEST(Cpuinfo, EmptyOrGarbledTextGivesNothing) {
    for (const char* text : {"", "\n\n", "no colon here\n:\n\x01\x02", "cpu MHz\t: fast\n"}) {
        CpuInfo info = parse_cpuinfo(text);
        EXPECT_EQ(info.model, std::nullopt) << text;
        EXPECT_EQ(info.vendor, std::nullopt) << text;
        EXPECT_EQ(info.mhz, std::nullopt) << text;
        EXPECT_EQ(info.processors, 0) << text;
    }
}

TEST(OnlineCpuList, CountsRangesAndSingleCpus) {
    EXPECT_EQ(count_cpu_list("0-1\n"), 2);
    EXPECT_EQ(count_cpu_list("0"), 1);
    EXPECT_EQ(count_cpu_list("0-3,5,7-8\n"), 7);
}

TEST(OnlineCpuList, RejectsWhatIsNotAList) {
    EXPECT_EQ(count_cpu_list(""), std::nullopt);
    EXPECT_EQ(count_cpu_list("\n"), std::nullopt);
    EXPECT_EQ(count_cpu_list("3-1"), std::nullopt);
    EXPECT_EQ(count_cpu_list("0-"), std::nullopt);
    EXPECT_EQ(count_cpu_list("a-b"), std::nullopt);
    EXPECT_EQ(count_cpu_list("0,,1"), std::nullopt);
}

TEST(CpufreqFile, KilohertzBecomeMegahertz) {
    EXPECT_EQ(parse_cpufreq_khz_as_mhz("2850000\n"), 2850.0);
    EXPECT_EQ(parse_cpufreq_khz_as_mhz("1803500"), 1803.5);
    EXPECT_EQ(parse_cpufreq_khz_as_mhz("0\n"), std::nullopt);
    EXPECT_EQ(parse_cpufreq_khz_as_mhz("<unknown>\n"), std::nullopt);
}

}  // namespace
}  // namespace blackbox::context
