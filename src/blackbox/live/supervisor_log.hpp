#pragma once

// The supervisor's own journal, `supervisor.jsonl` in the run directory: what its watchdogs
// saw and did (docs/formats/run-directory.md). Written like the plugin's journals: one JSON
// object per line, one write() each, O_APPEND, so it survives the supervisor's own death.
//
// A full disk must not cost a verdict: the file gets kRoom bytes allocated past its end when it
// is opened (fallocate, KEEP_SIZE), which appends use without needing a free block; a record
// that still cannot be written is taken back whole (never left torn), kept, and written before
// the next one once writing works again. What was never written is loss().

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/base/write_loss.hpp>

namespace blackbox::live {

class SupervisorLog {
  public:
    // Room allocated for the verdicts when the file is opened: some hundreds of records.
    static constexpr std::size_t kRoom = 64 * 1024;
    // The most held back while the disk is full; records past it are dropped and counted.
    static constexpr std::size_t kMaxHeldBack = 1024 * 1024;

    // Opens (creates) the file; a file that cannot be opened makes every write a no-op.
    explicit SupervisorLog(const std::filesystem::path& path);
    ~SupervisorLog() { write_held_back(); }
    SupervisorLog(const SupervisorLog&) = delete;
    SupervisorLog& operator=(const SupervisorLog&) = delete;

    // Appends `record` with its "ev" and the current monotonic "ns". Never throws on I/O.
    void write(const std::string& ev, nlohmann::json record);

    // The records not written so far (held back or dropped), in lines, and since when.
    std::optional<base::WriteLoss> loss() const;

  private:
    // Writes what was held back, in order; false when some of it still does not fit.
    bool write_held_back();
    // One whole line or nothing: a write the disk cut short is truncated away.
    bool append(const std::string& line);

    base::UniqueFd fd_;
    std::deque<std::string> held_back_;
    std::size_t held_back_bytes_ = 0;
    std::uint64_t dropped_ = 0;
    std::optional<base::WriteLoss> first_failure_;
};

}  // namespace blackbox::live
