#include <fmt/format.h>

#include <blackbox/base/regular_file.hpp>
#include <blackbox/native/faulthandler_c_stack.hpp>
#include <blackbox/native/native_record.hpp>
#include <blackbox/postmortem/native_evidence.hpp>

namespace blackbox::postmortem {

namespace {

// Each record carries the process's memory map (~100 KiB for a Python with a few extensions):
// the file's last 16 MiB hold the records closest to the death.
constexpr std::size_t kMaxNativeBytes = 16 * 1024 * 1024;

}  // namespace

std::optional<NativeEvidence> read_native_evidence(const std::filesystem::path& path,
                                                   const std::optional<std::string>& traceback,
                                                   std::vector<std::string>& warnings) {
    auto file = base::read_regular_file(path, kMaxNativeBytes, /*keep_tail=*/true);
    if (!file.text && !file.missing) {
        warnings.push_back(fmt::format("{}: {}", path.string(), file.error));
    }
    if (file.text) {
        auto parsed = native::parse_native_file(*file.text);
        for (auto record = parsed.records.rbegin(); record != parsed.records.rend(); ++record) {
            if (!record->threads.empty()) {
                return NativeEvidence{native::symbolize(*record), "handler"};
            }
        }
    }
    if (traceback) {
        if (auto thread = native::parse_faulthandler_c_stack(*traceback)) {
            NativeEvidence evidence{{}, "faulthandler"};
            thread->crashed = true;
            evidence.stacks.threads.push_back(std::move(*thread));
            return evidence;
        }
    }
    return std::nullopt;
}

}  // namespace blackbox::postmortem
