#include <array>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/live/capture_keeper.hpp>
#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {
namespace {

namespace fs = std::filesystem;

class CaptureKeeperTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("blackbox-capture-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        for (const char* sub : {"journal", "collected", "faulthandler"}) {
            fs::create_directories(dir_ / sub);
        }
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A child that does what the plugin does at session start and then dies at once: writes
    // `output` into an unlinked file, hands it over as its stdout capture under `stem_pid`'s
    // stem (its own pid when 0), writes its journal up to a test's call, and _exits. Returns
    // its pid, reaped: nothing of it is left but what it handed over.
    pid_t dying_child(const std::string& address, const std::string& output, pid_t stem_pid = 0) {
        pid_t child = ::fork();
        if (child == 0) {
            char name[] = "/tmp/blackbox-capture-XXXXXX";
            int fd = ::mkstemp(name);
            ::unlink(name);
            if (::write(fd, output.data(), output.size()) < 0) {
                ::_exit(2);
            }
            auto stem = "1-main-" + std::to_string(stem_pid != 0 ? stem_pid : ::getpid());
            auto payload = stem + " stdout";
            int mailbox = ::socket(AF_UNIX, SOCK_DGRAM, 0);
            sockaddr_un to{};
            to.sun_family = AF_UNIX;
            std::memcpy(to.sun_path + 1, address.data() + 1, address.size() - 1);
            iovec io{payload.data(), payload.size()};
            alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
            msghdr message{};
            message.msg_name = &to;
            message.msg_namelen =
                static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
            message.msg_iov = &io;
            message.msg_iovlen = 1;
            message.msg_control = control.data();
            message.msg_controllen = control.size();
            auto* header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            header->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
            if (::sendmsg(mailbox, &message, 0) < 0) {
                ::_exit(3);
            }
            std::ofstream(dir_ / "journal" / ("1-main-" + std::to_string(::getpid()) + ".jsonl"))
                << "{\"ev\":\"start\",\"ns\":1}\n"
                << "{\"ev\":\"session_start\",\"ns\":2,\"capture\":{\"stdout\":" << fd << "}}\n"
                << "{\"ev\":\"test\",\"ns\":3,\"nodeid\":\"t.py::dies\"}\n";
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return child;
    }

    fs::path dir_;
};

TEST_F(CaptureKeeperTest, KeepsWhatAProcessPrintedEvenWhenItDiedBeforeAnyTick) {
    CaptureKeeper keeper(dir_);
    ASSERT_FALSE(keeper.address().empty()) << "no abstract Unix socket here";
    const std::string output = "broken \xC3\x28 and \xED\xA0\x80 bytes\n";
    auto pid = dying_child(keeper.address(), output);
    // The first look at the journals comes after the death: /proc/<pid>/fd is gone by now.
    RunWatch watch(dir_);
    watch.refresh();
    keeper.follow(watch);
    keeper.save_unfinished(watch);
    EXPECT_EQ(base::read_file(dir_ / "capture" / ("1-main-" + std::to_string(pid) + ".stdout")),
              output);
}

TEST_F(CaptureKeeperTest, RefusesFilesHandedOverUnderAnotherProcesssName) {
    CaptureKeeper keeper(dir_);
    ASSERT_FALSE(keeper.address().empty()) << "no abstract Unix socket here";
    // The stem names pid 1 while the sender is the child: the kernel's credentials tell.
    auto pid = dying_child(keeper.address(), "forged\n", 1);
    RunWatch watch(dir_);
    watch.refresh();
    keeper.follow(watch);
    keeper.save_unfinished(watch);
    EXPECT_FALSE(fs::exists(dir_ / "capture" / "1-main-1.stdout"));
    EXPECT_FALSE(fs::exists(dir_ / "capture" / ("1-main-" + std::to_string(pid) + ".stdout")));
}

}  // namespace
}  // namespace blackbox::live
