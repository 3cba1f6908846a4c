#include <algorithm>
#include <vector>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/context/cpuinfo.hpp>

namespace blackbox::context {

namespace {

// ARM "CPU implementer" codes (the MIDR register), as util-linux's lscpu names them.
struct Implementer {
    unsigned code;
    const char* name;
};
constexpr Implementer kImplementers[] = {
    {0x41, "ARM"},       {0x42, "Broadcom"}, {0x43, "Cavium"}, {0x46, "Fujitsu"},
    {0x48, "HiSilicon"}, {0x4e, "NVIDIA"},   {0x50, "APM"},    {0x51, "Qualcomm"},
    {0x53, "Samsung"},   {0x56, "Marvell"},  {0x61, "Apple"},  {0x69, "Intel"},
    {0xc0, "Ampere"},
};

// "CPU part" codes of the cores found in phones, boards and arm64 servers.
struct Part {
    unsigned implementer;
    unsigned code;
    const char* name;
};
constexpr Part kParts[] = {
    {0x41, 0xd03, "Cortex-A53"},      {0x41, 0xd04, "Cortex-A35"},
    {0x41, 0xd05, "Cortex-A55"},      {0x41, 0xd07, "Cortex-A57"},
    {0x41, 0xd08, "Cortex-A72"},      {0x41, 0xd09, "Cortex-A73"},
    {0x41, 0xd0a, "Cortex-A75"},      {0x41, 0xd0b, "Cortex-A76"},
    {0x41, 0xd0c, "Neoverse-N1"},     {0x41, 0xd0d, "Cortex-A77"},
    {0x41, 0xd0e, "Cortex-A76AE"},    {0x41, 0xd40, "Neoverse-V1"},
    {0x41, 0xd41, "Cortex-A78"},      {0x41, 0xd44, "Cortex-X1"},
    {0x41, 0xd46, "Cortex-A510"},     {0x41, 0xd47, "Cortex-A710"},
    {0x41, 0xd48, "Cortex-X2"},       {0x41, 0xd49, "Neoverse-N2"},
    {0x41, 0xd4b, "Cortex-A78C"},     {0x41, 0xd4d, "Cortex-A715"},
    {0x41, 0xd4e, "Cortex-X3"},       {0x41, 0xd4f, "Neoverse-V2"},
    {0x41, 0xd80, "Cortex-A520"},     {0x41, 0xd81, "Cortex-A720"},
    {0x41, 0xd82, "Cortex-X4"},       {0x51, 0x800, "Kryo 2XX Gold"},
    {0x51, 0x801, "Kryo 2XX Silver"}, {0x51, 0x802, "Kryo 3XX Gold"},
    {0x51, 0x803, "Kryo 3XX Silver"}, {0x51, 0x804, "Kryo 4XX Gold"},
    {0x51, 0x805, "Kryo 4XX Silver"}, {0x51, 0xc00, "Falkor"},
    {0x61, 0x022, "Icestorm"},        {0x61, 0x023, "Firestorm"},
    {0xc0, 0xac3, "Ampere-1"},
};

// A hexadecimal MIDR field such as "0x41" or "0xd05".
std::optional<unsigned> parse_hex(std::string_view text) {
    if (text.size() < 3 || text.size() > 10 || text[0] != '0' ||
        (text[1] != 'x' && text[1] != 'X')) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (char c : text.substr(2)) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        value = value * 16 + digit;
    }
    return value;
}

std::string implementer_name(std::string_view code) {
    std::optional<unsigned> value = parse_hex(code);
    for (const Implementer& implementer : kImplementers) {
        if (value == implementer.code) {
            return implementer.name;
        }
    }
    return std::string(code);
}

std::string part_name(std::string_view implementer, std::string_view part) {
    std::optional<unsigned> implementer_value = parse_hex(implementer);
    std::optional<unsigned> part_value = parse_hex(part);
    for (const Part& known : kParts) {
        if (implementer_value == known.implementer && part_value == known.code) {
            return known.name;
        }
    }
    return implementer_name(implementer) + " part " + std::string(part);
}

// "ARMv7 Processor rev 4 (v7l)", "AArch64 Processor rev 4 (aarch64)": says nothing of the core.
bool is_generic_arm_name(std::string_view name) {
    return name.find("Processor rev") != std::string_view::npos;
}

// The first value seen for each key of interest, and the distinct ARM cores in order.
struct Fields {
    std::optional<std::string> hardware, model_name, old_processor, power_cpu, riscv_uarch,
        vendor_id, first_implementer;
    std::optional<double> mhz;
    std::vector<std::string> core_names;
    int processors = 0;
};

void keep_first(std::optional<std::string>& slot, std::string_view value) {
    if (!slot && !value.empty()) {
        slot = std::string(value);
    }
}

Fields collect(std::string_view text) {
    Fields fields;
    std::string_view implementer;  // of the processor block being read
    std::string_view line;
    while (base::next_line(text, line)) {
        std::optional<base::KeyValue> field = base::split_key_value(line);
        if (!field) {
            continue;
        }
        auto [key, value] = *field;
        if (key == "processor") {
            ++fields.processors;
            implementer = {};
        } else if (key == "model name") {
            keep_first(fields.model_name, value);
        } else if (key == "Hardware") {
            keep_first(fields.hardware, value);
        } else if (key == "Processor") {
            keep_first(fields.old_processor, value);
        } else if (key == "cpu") {
            keep_first(fields.power_cpu, value);
        } else if (key == "uarch") {
            keep_first(fields.riscv_uarch, value);
        } else if (key == "vendor_id") {
            keep_first(fields.vendor_id, value);
        } else if (key == "cpu MHz") {
            if (!fields.mhz) {
                fields.mhz = base::parse_decimal(value);
            }
        } else if (key == "CPU implementer") {
            implementer = value;
            keep_first(fields.first_implementer, value);
        } else if (key == "CPU part") {
            std::string name = part_name(implementer, value);
            if (std::find(fields.core_names.begin(), fields.core_names.end(), name) ==
                fields.core_names.end()) {
                fields.core_names.push_back(std::move(name));
            }
        }
    }
    return fields;
}

std::optional<std::string> join_core_names(const std::vector<std::string>& names) {
    if (names.empty()) {
        return std::nullopt;
    }
    std::string joined = names.front();
    for (std::size_t i = 1; i < names.size(); ++i) {
        joined += " + " + names[i];
    }
    return joined;
}

}  // namespace

CpuInfo parse_cpuinfo(std::string_view text) {
    Fields fields = collect(text);
    CpuInfo info;
    bool generic = fields.model_name && is_generic_arm_name(*fields.model_name);
    for (const std::optional<std::string>& candidate :
         {fields.hardware, generic ? std::nullopt : fields.model_name,
          join_core_names(fields.core_names), fields.model_name, fields.old_processor,
          fields.power_cpu, fields.riscv_uarch}) {
        if (candidate) {
            info.model = candidate;
            break;
        }
    }
    if (fields.vendor_id) {
        info.vendor = fields.vendor_id;
    } else if (fields.first_implementer) {
        info.vendor = implementer_name(*fields.first_implementer);
    }
    info.mhz = fields.mhz;
    info.processors = fields.processors;
    return info;
}

std::optional<int> count_cpu_list(std::string_view text) {
    text = base::trim(text);
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t count = 0;
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view range = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        std::size_t dash = range.find('-');
        std::optional<std::uint64_t> first = base::parse_u64(range.substr(0, dash));
        std::optional<std::uint64_t> last =
            dash == std::string_view::npos ? first : base::parse_u64(range.substr(dash + 1));
        if (!first || !last || *last < *first || *last - *first >= 1'000'000) {
            return std::nullopt;
        }
        count += *last - *first + 1;
    }
    if (count > 1'000'000) {
        return std::nullopt;
    }
    return static_cast<int>(count);
}

std::optional<double> parse_cpufreq_khz_as_mhz(std::string_view text) {
    std::optional<std::uint64_t> khz = base::parse_u64(base::trim(text));
    if (!khz || *khz == 0) {
        return std::nullopt;
    }
    return static_cast<double>(*khz) / 1000.0;
}

}  // namespace blackbox::context
