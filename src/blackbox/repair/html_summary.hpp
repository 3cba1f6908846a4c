#pragma once

// The outcome counts pytest-html writes into the page itself (3.x: "1 failed", "2 tests ran
// in 0.05 seconds."; 4.x: "1 Failed,", "2 tests took 00:00:01."), kept in step with the rows
// a repair adds. Each edit touches only the number (and the plural) it changes; a page
// without the element is returned unchanged.

#include <string>
#include <string_view>

namespace blackbox::repair {

// Adds `count` to the number that starts the first <span class="OUTCOME"> holding one
// ("failed" or "error"), and enables that outcome's filter checkbox (<input
// data-test-result="OUTCOME" disabled…> loses `disabled`).
std::string add_to_outcome_count(std::string_view html, std::string_view outcome, long count);

// Adds `count` to the number of tests in "N tests ran in …" (3.x, a <p>) or "N tests took …"
// (4.x, <p class="run-count">), fixing 4.x's "test"/"tests".
std::string add_to_run_count(std::string_view html, long count);

}  // namespace blackbox::repair
