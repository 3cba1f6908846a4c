// A `pytest --blackbox` run records the facts of its execution context; loading the run derives
// the context from them, and a run.json that holds a context (the supervisor's, or one written by
// an earlier plugin) is read as it is.

#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::postmortem {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A recorded run whose run.json is the recorded one with `change` applied.
class PluginRun {
  public:
    explicit PluginRun(const std::function<void(json&)>& change) {
        fs::copy(blackbox::testing::test_data() / "runs" / "passed_failed_skipped", dir(),
                 fs::copy_options::recursive);
        json run = json::parse(base::read_file(dir() / "run.json").value());
        run["recorder"] = "plugin";
        change(run);
        std::ofstream(dir() / "run.json") << run.dump(2);
    }
    fs::path dir() const { return scratch_.path() / "run"; }

  private:
    testing::ScratchDir scratch_{"facts"};
};

const json kFacts = {{"uname",
                      {{"sysname", "Linux"},
                       {"nodename", "phone"},
                       {"release", "5.10.157-android13-4"},
                       {"version", "#1 SMP PREEMPT"},
                       {"machine", "aarch64"}}},
                     {"online_cpus", 8},
                     {"cwd", "/data/data/com.termux/files/home/project"},
                     {"files",
                      {{"/proc/meminfo", "MemTotal:        7672836 kB\n"},
                       {"/sys/devices/system/cpu/cpu7/cpufreq/cpuinfo_max_freq", "2850000\n"}}},
                     {"environ", {{"TERMUX_VERSION", "0.118.0"}, {"CI", "true"}}},
                     {"commands", json::array()}};

TEST(PluginContextFacts, TheContextIsDerivedFromTheRecordedFacts) {
    PluginRun run([](json& doc) {
        doc.erase("context");
        doc["context_facts"] = kFacts;
    });
    RunModel model = load_run(run.dir());
    EXPECT_EQ(model.context["hostname"], "phone");
    EXPECT_EQ(model.context["machine"], "aarch64");
    EXPECT_EQ(model.context["termux_version"], "0.118.0");
    EXPECT_EQ(model.context["memory_total_bytes"], 7672836ull * 1024);
    EXPECT_EQ(model.context["cpu"]["count"], 8);
    EXPECT_EQ(model.context["cpu"]["frequency_mhz"], 2850.0);
    EXPECT_TRUE(model.context["git"].is_null());
    EXPECT_EQ(model.context["ci"]["name"], "generic");
    EXPECT_EQ(model.context["python"]["version"], "3.11.2");  // still merged from the journal
    EXPECT_EQ(report::postmortem_json(model)["context"], model.context);
}

TEST(PluginContextFacts, ARecordedContextIsReadAsItIs) {
    PluginRun run([](json& doc) { doc["context_facts"] = kFacts; });  // beside the recorded one
    RunModel model = load_run(run.dir());
    EXPECT_EQ(model.context["hostname"], "recorder");
    EXPECT_EQ(model.context["cpu"], json({{"count", 2}}));
}

TEST(PluginContextFacts, FactsOfTheWrongShapeGiveANullContextNotAnError) {
    PluginRun run([](json& doc) {
        doc.erase("context");
        doc["context_facts"] = "hostname=phone";
    });
    RunModel model = load_run(run.dir());
    EXPECT_TRUE(model.context["hostname"].is_null());
    EXPECT_TRUE(model.context["cpu"]["count"].is_null());
    EXPECT_TRUE(model.warnings.empty());
}

}  // namespace
}  // namespace blackbox::postmortem
