"""Records the /proc and cgroup trees the sampler tests read (see README.md).

Run as root on a Linux machine with cgroup v1's memory controller (the development VM):

    python3 tests/unit/data/sample/record.py

It starts a small process tree whose children hang off two threads of one Python process,
copies the files the sampler reads into hybrid-v1/, and derives the unified-v2/ and android/
scenarios from the same processes with the cgroup and /proc files those machines have
(written after real ones: a systemd user scope on cgroup v2, Termux on Android 13).
"""

import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PID_FILES = ("stat", "statm", "status", "cgroup", "smaps_rollup")

TREE = r"""
import subprocess, sys, threading, time
hog = bytearray(48 * 1024 * 1024)  # resident: touched by the zero fill
subprocess.Popen(["sleep", "300"])
def spawn():
    subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300 & wait"])
    time.sleep(300)
threading.Thread(target=spawn, daemon=True).start()
print("ready", flush=True)
time.sleep(300)
"""

V2_PATH = "/user.slice/user-1000.slice/user@1000.service/app.slice/pytest.scope"
V2_CGROUP = "0::" + V2_PATH + "\n"
V2_MOUNTINFO = """\
22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
29 24 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 \
rw,nsdelegate,memory_recursiveprot
40 22 0:36 / /mnt/my\\040disk rw,relatime shared:20 - ext4 /dev/sdb1 rw
"""
V2_FILES = {
    V2_PATH: {
        "cgroup.controllers": "cpu io memory pids\n",
        "memory.current": "162865152\n",
        "memory.max": "max\n",
        "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        "memory.stat": (
            "anon 61865984\nfile 98422784\nkernel 2236416\nkernel_stack 147456\n"
            "pagetables 573440\nsec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\n"
            "shmem 0\nzswap 0\nzswapped 0\nfile_mapped 38744064\nfile_dirty 0\n"
            "file_writeback 0\nswapcached 0\nanon_thp 0\nfile_thp 0\nshmem_thp 0\n"
            "inactive_anon 61833216\nactive_anon 32768\ninactive_file 63434752\n"
            "active_file 34988032\nunevictable 0\nslab_reclaimable 1163264\n"
            "slab_unreclaimable 318464\nslab 1481728\n"
        ),
    },
    "/user.slice/user-1000.slice/user@1000.service/app.slice": {"memory.max": "max\n"},
    "/user.slice/user-1000.slice/user@1000.service": {"memory.max": "max\n"},
    "/user.slice/user-1000.slice": {"memory.max": "8589934592\n"},
    "/user.slice": {"memory.max": "max\n"},
}

ANDROID_CGROUP = "4:memory:/\n3:cpuset:/top-app\n2:cpu:/\n1:blkio:/\n0::/uid_10234/pid_{pid}\n"
ANDROID_MOUNTINFO = """\
1 1 253:5 / / ro,relatime master:1 - ext4 /dev/block/dm-5 ro,seclabel
22 1 0:20 / /dev rw,nosuid,relatime master:2 - tmpfs tmpfs rw,seclabel,mode=755
25 1 0:21 / /proc rw,relatime master:11 - proc proc rw,gid=3009,hidepid=invisible
26 1 0:22 / /sys rw,relatime master:12 - sysfs sysfs rw,seclabel
28 22 0:24 / /dev/memcg rw,nosuid,nodev,noexec,relatime master:4 - cgroup none rw,memory
32 26 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime master:8 - cgroup2 none \
rw,memory_recursiveprot
"""
# Written after an 8 GB phone with zram swap in use.
ANDROID_MEMINFO = """\
MemTotal:        7672836 kB
MemFree:          223172 kB
MemAvailable:    2866620 kB
Buffers:            2516 kB
Cached:          2728044 kB
SwapCached:        71732 kB
Active:          2245672 kB
Inactive:        2657452 kB
SwapTotal:       4194300 kB
SwapFree:        2011396 kB
"""


def write(root, path, content):
    target = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as file:
        file.write(content)


def read(path):
    with open(path) as file:
        return file.read()


def tree_of(root_pid):
    order, index = [root_pid], 0
    while index < len(order):
        pid = order[index]
        index += 1
        for tid in sorted(os.listdir(f"/proc/{pid}/task")):
            order += [int(p) for p in read(f"/proc/{pid}/task/{tid}/children").split()]
    return order


def record_process(root, pid, children=True):
    for name in PID_FILES:
        write(root, f"/proc/{pid}/{name}", read(f"/proc/{pid}/{name}"))
    for tid in os.listdir(f"/proc/{pid}/task"):
        task = f"/proc/{pid}/task/{tid}"
        write(root, f"{task}/stat", read(f"{task}/stat"))  # also keeps the directory in git
        if children:
            write(root, f"{task}/children", read(f"{task}/children"))


def largest_others(exclude, count):
    sizes = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in exclude:
            try:
                fields = read(f"/proc/{name}/stat").rsplit(")", 1)[1].split()
                sizes.append((int(fields[21]), int(name)))
            except (OSError, IndexError):
                pass
    return [pid for _, pid in sorted(sizes, reverse=True)[:count]]


def record_hybrid(root, tree):
    for pid in tree:
        record_process(root, pid)
    for pid in [1] + largest_others(set(tree) | {os.getpid()}, 4):
        write(root, f"/proc/{pid}/stat", read(f"/proc/{pid}/stat"))
    for name in ("meminfo", "pressure/memory", "self/mountinfo"):
        write(root, f"/proc/{name}", read(f"/proc/{name}"))
    cgroup = next(
        line.split(":", 2)[2]
        for line in read(f"/proc/{tree[0]}/cgroup").splitlines()
        if line.split(":")[1] == "memory"
    )
    directory = "/sys/fs/cgroup/memory" + cgroup
    for name in (
        "memory.usage_in_bytes",
        "memory.limit_in_bytes",
        "memory.oom_control",
        "memory.stat",
    ):
        write(root, f"{directory}/{name}", read(f"{directory}/{name}"))
    while directory != "/sys/fs/cgroup/memory":
        directory = os.path.dirname(directory)
        name = f"{directory}/memory.limit_in_bytes"
        write(root, name, read(name))


def derive_v2(source, root, tree):
    shutil.copytree(source, root)
    shutil.rmtree(os.path.join(root, "sys"))
    for pid in tree:
        write(root, f"/proc/{pid}/cgroup", V2_CGROUP)
    write(root, "/proc/self/mountinfo", V2_MOUNTINFO)
    for directory, files in V2_FILES.items():
        for name, content in files.items():
            write(root, f"/sys/fs/cgroup{directory}/{name}", content)


def derive_android(root, tree):
    # hidepid=invisible: only our own processes; no CONFIG_PROC_CHILDREN; no PSI; memcg unreadable.
    for pid in tree:
        record_process(root, pid, children=False)
        write(root, f"/proc/{pid}/cgroup", ANDROID_CGROUP.format(pid=pid))
        status = read(f"/proc/{pid}/status").replace("VmSwap:\t       0 kB", "VmSwap:\t    2048 kB")
        write(root, f"/proc/{pid}/status", status)
    write(root, "/proc/meminfo", ANDROID_MEMINFO)
    write(root, "/proc/self/mountinfo", ANDROID_MOUNTINFO)


def main():
    python = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    tree = [python.pid]
    try:
        python.stdout.readline()
        time.sleep(0.5)  # the shell starts its sleeps
        tree = tree_of(python.pid)
        for scenario in ("hybrid-v1", "unified-v2", "android"):
            shutil.rmtree(os.path.join(HERE, scenario), ignore_errors=True)
        record_hybrid(os.path.join(HERE, "hybrid-v1"), tree)
        derive_v2(os.path.join(HERE, "hybrid-v1"), os.path.join(HERE, "unified-v2"), tree)
        derive_android(os.path.join(HERE, "android"), tree)
        print("root", tree[0], "tree", tree)
    finally:
        for pid in reversed(tree):
            os.kill(pid, signal.SIGKILL)
        python.wait()


if __name__ == "__main__":
    main()
