// A run's report as `blackbox push` uploads it (wire/report_upload.hpp), from any JSON text:
// the stream check of the data block (check_report_block) never throws, and a block the
// server accepts (read_report_head over the text gzipped) renders as the page the dashboard
// serves, its verdict and all, without throwing: the check is what lets the page trust it.

#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/report/html_verdict.hpp>
#include <blackbox/wire/report_block_check.hpp>
#include <blackbox/wire/report_upload.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto block = fuzz::as_text(data, size);
    const auto problem = wire::check_report_block(block);
    const auto gzipped = base::gzip(block, 1);
    const auto head = wire::read_report_head(gzipped);
    if (!head.head) {
        fuzz::check(head.status == 413 || head.status == 422, "a refused report gets no 4xx");
        return 0;
    }
    fuzz::check(!problem, "a report the check refuses was accepted");
    (void)report::html_verdict(*head.head);
    (void)report::html_page(*head.head, gzipped);
    return 0;
}
