// The native stack file's reader (docs/formats/native-stacks.md): records, thread blocks that
// land anywhere, memory maps as the kernel prints them, torn tails and garbage.

#include <csignal>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/native/native_record.hpp>

namespace blackbox::native {
namespace {

constexpr const char* kFatal =
    "record fatal id=0 signal=11 code=1 addr=0x0 pid=4242 ns=123456789012\n"
    "thread tid=4242 pthread=0x7f5a3c1ff740 name=python3 record=0\n"
    "frame 0x7f5a3b1e2f3d\n"
    "frame 0x7f5a3b1e2f80\n"
    "frame 0x7f5a3c2a1234 signal\n"
    "end thread frames=3\n"
    "maps\n"
    "55d0c0a00000-55d0c0a6e000 r--p 00000000 08:01 1234                       "
    "/usr/bin/python3.11\n"
    "55d0c0a6e000-55d0c0d2e000 r-xp 0006e000 08:01 1234                       "
    "/usr/bin/python3.11\n"
    "7f5a3b1e0000-7f5a3b1e4000 r-xp 00002000 fe:00 99                         "
    "/home/u/my project/build/_ext.cpython-311-x86_64-linux-gnu.so\n"
    "7f5a3b300000-7f5a3b310000 r-xp 00000000 fe:00 100                        "
    "/tmp/libgone.so (deleted)\n"
    "7f5a3c000000-7f5a3c021000 rw-p 00000000 00:00 0 \n"
    "7f5a3c021000-7f5a3c022000 rw-p 00000000 00:00 0\n"
    "7ffd1b2c3000-7ffd1b2e4000 rw-p 00000000 00:00 0                          [stack]\n"
    "7ffd1b3f0000-7ffd1b3f2000 r-xp 00000000 00:00 0                          [vdso]\n"
    "end maps\n"
    "end record id=0\n";

TEST(NativeRecord, ReadsAFatalRecord) {
    NativeFile file = parse_native_file(kFatal);
    EXPECT_EQ(file.skipped_lines, 0U);
    ASSERT_EQ(file.records.size(), 1U);
    const RawRecord& record = file.records[0];
    EXPECT_EQ(record.kind, RawRecord::Kind::fatal);
    EXPECT_EQ(record.id, 0);
    EXPECT_EQ(record.pid, 4242);
    EXPECT_EQ(record.ns, 123456789012);
    EXPECT_EQ(record.signal, SIGSEGV);
    EXPECT_EQ(record.code, 1);
    EXPECT_EQ(record.fault_address, 0U);
    EXPECT_TRUE(record.complete);
    ASSERT_EQ(record.threads.size(), 1U);
    const RawThread& thread = record.threads[0];
    EXPECT_EQ(thread.tid, 4242);
    EXPECT_EQ(thread.pthread, 0x7f5a3c1ff740U);
    EXPECT_EQ(thread.name, "python3");
    EXPECT_EQ(thread.pcs,
              (std::vector<std::uint64_t>{0x7f5a3b1e2f3d, 0x7f5a3b1e2f80, 0x7f5a3c2a1234}));
    EXPECT_EQ(thread.signal_frames, (std::vector<bool>{false, false, true}));
    EXPECT_FALSE(thread.truncated);

    ASSERT_EQ(record.maps.size(), 8U);
    const Mapping& text = record.maps[1];
    EXPECT_EQ(text.start, 0x55d0c0a6e000U);
    EXPECT_EQ(text.end, 0x55d0c0d2e000U);
    EXPECT_EQ(text.file_offset, 0x6e000U);
    EXPECT_EQ(text.permissions, "r-xp");
    EXPECT_EQ(text.device_major, 8U);
    EXPECT_EQ(text.device_minor, 1U);
    EXPECT_EQ(text.inode, 1234U);
    EXPECT_EQ(text.path, "/usr/bin/python3.11");
    EXPECT_FALSE(text.deleted);
    EXPECT_EQ(record.maps[2].path, "/home/u/my project/build/_ext.cpython-311-x86_64-linux-gnu.so");
    EXPECT_EQ(record.maps[2].device_major, 0xfeU);
    EXPECT_EQ(record.maps[3].path, "/tmp/libgone.so");
    EXPECT_TRUE(record.maps[3].deleted);
    EXPECT_EQ(record.maps[4].path, "");  // anonymous, with the kernel's trailing blank
    EXPECT_EQ(record.maps[5].path, "");  // anonymous, without
    EXPECT_EQ(record.maps[5].inode, 0U);
    EXPECT_EQ(record.maps[6].path, "[stack]");
    EXPECT_EQ(record.maps[7].path, "[vdso]");
}

TEST(NativeRecord, JoinsThreadBlocksToTheRecordTheyName) {
    // A dump whose threads answer while a fatal record is written by another thread.
    NativeFile file = parse_native_file(
        "record dump id=1 pid=7 ns=10 threads=3\n"
        "thread tid=7 pthread=0x1 name=pytest record=1\n"
        "frame 0x1000\n"
        "end thread frames=1\n"
        "record fatal id=2 signal=6 code=-6 addr=0x0 pid=7 ns=11\n"
        "thread tid=9 pthread=0x3 name=worker 2 record=2\n"
        "frame 0x3000\n"
        "end thread frames=1\n"
        "thread tid=8 pthread=0x2 name=pool record=1\n"
        "frame 0x2000\n"
        "frame 0x2100\n"
        "end thread frames=2\n"
        "maps\n"
        "1000-4000 r-xp 00000000 08:01 5 /usr/bin/python3.11\n"
        "end maps\n"
        "end record id=2\n"
        "maps\n"
        "1000-4000 r-xp 00000000 08:01 5 /usr/bin/python3.11\n"
        "end maps\n"
        "end record id=1 answered=2 of=3\n");
    EXPECT_EQ(file.skipped_lines, 0U);
    ASSERT_EQ(file.records.size(), 2U);
    const RawRecord& dump = file.records[0];
    EXPECT_EQ(dump.kind, RawRecord::Kind::dump);
    EXPECT_EQ(dump.threads_in_process, 3);
    EXPECT_EQ(dump.threads_answered, 2);
    EXPECT_TRUE(dump.complete);
    ASSERT_EQ(dump.threads.size(), 2U);
    EXPECT_EQ(dump.threads[0].tid, 7);  // the dumping thread first
    EXPECT_EQ(dump.threads[1].tid, 8);
    EXPECT_EQ(dump.threads[1].pcs.size(), 2U);
    EXPECT_EQ(dump.maps.size(), 1U);
    EXPECT_FALSE(dump.signal);

    const RawRecord& fatal = file.records[1];
    EXPECT_EQ(fatal.signal, SIGABRT);
    EXPECT_EQ(fatal.code, -6);  // SI_TKILL: raise()
    ASSERT_EQ(fatal.threads.size(), 1U);
    EXPECT_EQ(fatal.threads[0].name, "worker 2");
    EXPECT_EQ(fatal.maps.size(), 1U);
    EXPECT_TRUE(fatal.complete);
}

TEST(NativeRecord, KeepsTheStackOfAThreadThatAnsweredLate) {
    NativeFile file = parse_native_file(
        "record dump id=0 pid=7 ns=10 threads=2\n"
        "thread tid=7 pthread=0x1 name=a record=0\n"
        "frame 0x1000\n"
        "end thread frames=1\n"
        "maps\n"
        "end maps\n"
        "end record id=0 answered=1 of=2\n"
        "thread tid=8 pthread=0x2 name=b record=0\n"
        "frame 0x2000\n"
        "end thread frames=1\n");
    EXPECT_EQ(file.skipped_lines, 0U);
    ASSERT_EQ(file.records.size(), 1U);
    EXPECT_EQ(file.records[0].threads_answered, 1);
    ASSERT_EQ(file.records[0].threads.size(), 2U);
    EXPECT_EQ(file.records[0].threads[1].tid, 8);
}

TEST(NativeRecord, KeepsWhatATornRecordWrote) {
    NativeFile file = parse_native_file(
        "record dump id=0 pid=7 ns=10 threads=3\n"
        "thread tid=7 pthread=0x1 name=a record=0\n"
        "frame 0x1000\n"
        "end thread frames=1\n"
        "thread tid=8 pthread=0x2 name=b record=0\n"  // killed before its end: dropped
        "frame 0x2000\n"
        "maps\n"
        "1000-4000 r-xp 00000000 08:01 5 /usr/bin/python3.11\n"
        "4000-5000 r--p 00003000 08:01 5 /usr/bin/pyth");  // cut in the middle of a line
    ASSERT_EQ(file.records.size(), 1U);
    const RawRecord& record = file.records[0];
    EXPECT_FALSE(record.complete);
    EXPECT_EQ(record.threads_answered, 0);
    ASSERT_EQ(record.threads.size(), 1U);
    EXPECT_EQ(record.threads[0].tid, 7);
    ASSERT_EQ(record.maps.size(), 1U);
    EXPECT_EQ(record.maps[0].end, 0x4000U);
    EXPECT_EQ(file.skipped_lines, 3U);  // the cut thread block's two lines, the cut map line
}

TEST(NativeRecord, DropsAThreadBlockCutByAnotherLine) {
    NativeFile file = parse_native_file(
        "record fatal id=0 signal=11 code=1 addr=0x10 pid=7 ns=1\n"
        "thread tid=7 pthread=0x1 name=a record=0\n"
        "frame 0x1000\n"
        "thread tid=7 pthread=0x1 name=a record=0\n"
        "frame 0x1000\n"
        "frame 0x1010\n"
        "end thread frames=2 truncated\n"
        "end record id=0\n");
    ASSERT_EQ(file.records.size(), 1U);
    ASSERT_EQ(file.records[0].threads.size(), 1U);
    EXPECT_EQ(file.records[0].threads[0].pcs.size(), 2U);
    EXPECT_TRUE(file.records[0].threads[0].truncated);
    EXPECT_EQ(file.records[0].fault_address, 0x10U);
    EXPECT_EQ(file.skipped_lines, 2U);
}

TEST(NativeRecord, SkipsAndCountsGarbage) {
    using namespace std::string_literals;
    std::string text =
        "frame 0x1000\n"  // before any record
        "hello\n"
        "\xff\xfe\x00garbage\n"s;
    text +=
        "record fatal id=0 signal=11 code=1 addr=0x0 pid=7 ns=1\n"
        "record sideways id=1\n"
        "record fatal signal=11\n"  // no id
        "thread tid=7 pthread=0x1 name=a record=0\n"
        "frame 0xzz\n"
        "frame 0x1000 sideways\n"
        "frame 0x1001\n"
        "end thread frames=1\n"
        "end thread frames=1\n"                       // no block open
        "thread tid=8 pthread=0x2 name=b record=5\n"  // no such record
        "frame 0x2000\n"
        "end thread frames=1\n"
        "maps\n"
        "\xc3\x28 not a map\n"
        "1000-0fff r-xp 00000000 08:01 5 /backwards\n"
        "1000-2000 rwzp 00000000 08:01 5 /bad/permissions\n"
        "1000-2000 r-xp 00000000 08:01 5 /lib/\xff\xfe.so\n"  // a path is bytes
        "end maps\n"
        "end record id=9\n";
    NativeFile file = parse_native_file(text);
    ASSERT_EQ(file.records.size(), 1U);
    const RawRecord& record = file.records[0];
    ASSERT_EQ(record.threads.size(), 1U);
    EXPECT_EQ(record.threads[0].pcs, (std::vector<std::uint64_t>{0x1001}));
    ASSERT_EQ(record.maps.size(), 1U);
    EXPECT_EQ(record.maps[0].path, "/lib/\xff\xfe.so");
    EXPECT_FALSE(record.complete);
    EXPECT_EQ(file.skipped_lines, 15U);
}

TEST(NativeRecord, BoundsTheFramesKept) {
    std::string text =
        "record fatal id=0 signal=11 code=1 addr=0x0 pid=7 ns=1\n"
        "thread tid=7 pthread=0x1 name=a record=0\n";
    for (std::size_t i = 0; i < kMaxFramesKept + 10; ++i) {
        text += "frame 0x1000\n";
    }
    text += "end thread frames=1034\nend record id=0\n";
    NativeFile file = parse_native_file(text);
    ASSERT_EQ(file.records.size(), 1U);
    ASSERT_EQ(file.records[0].threads.size(), 1U);
    EXPECT_EQ(file.records[0].threads[0].pcs.size(), kMaxFramesKept);
    EXPECT_TRUE(file.records[0].threads[0].truncated);
}

TEST(NativeRecord, ReadsMapsLinesAsTheKernelPrintsThem) {
    auto mapping = parse_maps_line(
        "7f2c1a000000-7f2c1a021000 r-xp 00001000 103:02 2621470                   "
        "/opt/app/lib/libx.so.1.2 (deleted)");
    ASSERT_TRUE(mapping);
    EXPECT_EQ(mapping->device_major, 0x103U);
    EXPECT_EQ(mapping->device_minor, 2U);
    EXPECT_EQ(mapping->path, "/opt/app/lib/libx.so.1.2");
    EXPECT_TRUE(mapping->deleted);
    // A deleted file whose own name ends like the kernel's suffix: only the kernel's comes off.
    auto named = parse_maps_line("1000-2000 r-xp 00000000 08:01 5 /tmp/a (deleted) (deleted)");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->path, "/tmp/a (deleted)");
    EXPECT_TRUE(named->deleted);
    auto spaced = parse_maps_line("1000-2000 r--s 00000000 00:05 7 /dev/shm/a  b");
    ASSERT_TRUE(spaced);
    EXPECT_EQ(spaced->path, "/dev/shm/a  b");
    EXPECT_EQ(spaced->permissions, "r--s");
    for (const char* bad :
         {"", "1000-2000", "1000 r-xp 00000000 08:01 5", "1000-2000 r-xp 0000000g 08:01 5",
          "1000-2000 r-xp 00000000 0801 5", "1000-2000 r-xp 00000000 08:01 -5",
          "x000-2000 r-xp 00000000 08:01 5", "1000-2000 r-x 00000000 08:01 5"}) {
        EXPECT_FALSE(parse_maps_line(bad)) << bad;
    }
}

TEST(NativeRecord, NeverThrowsOnRandomBytes) {
    std::mt19937 random(17);
    std::string base = kFatal;
    for (int round = 0; round < 200; ++round) {
        std::string text = base;
        for (int flips = 0; flips < 20; ++flips) {
            text[random() % text.size()] = static_cast<char>(random() % 256);
        }
        text.resize(random() % text.size());
        NativeFile file = parse_native_file(text);
        EXPECT_LE(file.records.size(), 1U);
    }
}

}  // namespace
}  // namespace blackbox::native
