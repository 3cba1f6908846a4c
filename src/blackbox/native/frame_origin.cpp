#include <algorithm>
#include <array>

#include <blackbox/native/frame_origin.hpp>

namespace blackbox::native {

namespace {

std::string_view file_name(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool starts_with_any(std::string_view name, const auto& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return name.starts_with(prefix); });
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}

// "3", "3.11", "3.13t", "3.11d": the version and ABI flags after "python".
bool python_version(std::string_view rest) {
    if (!rest.starts_with('3')) {
        return false;
    }
    rest.remove_prefix(1);
    if (rest.starts_with('.')) {
        rest.remove_prefix(1);
        if (rest.empty() || !is_digit(rest.front())) {
            return false;
        }
        while (!rest.empty() && is_digit(rest.front())) {
            rest.remove_prefix(1);
        }
    }
    return std::all_of(rest.begin(), rest.end(), is_lower);
}

bool is_interpreter(std::string_view name) {
    if (name == "python") {
        return true;  // a virtual environment's, or argv[0] where dladdr names the program
    }
    if (name.starts_with("python")) {
        return python_version(name.substr(6));
    }
    if (name.starts_with("libpython")) {
        auto so = name.find(".so");
        return so != std::string_view::npos && python_version(name.substr(9, so - 9));
    }
    return false;
}

constexpr std::array<std::string_view, 2> kOwn = {"libblackbox_native.so", "libunwind"};

constexpr std::array<std::string_view, 13> kSystem = {
    "libc.so",       "libstdc++.so", "libgcc_s.so", "ld-linux", "libm.so",
    "libpthread.so", "libdl.so",     "librt.so",    "ld-musl",  "libc.musl",
    "[vdso]",        "[vsyscall]",   "ld64.so"};

}  // namespace

FrameOrigin origin_of(const NativeFrame& frame) {
    std::string_view name = file_name(frame.object);
    if (starts_with_any(name, kOwn)) {
        return FrameOrigin::own;
    }
    if (is_interpreter(name)) {
        return FrameOrigin::interpreter;
    }
    if (starts_with_any(name, kSystem)) {
        return FrameOrigin::system;
    }
    return FrameOrigin::extension;
}

std::string_view origin_name(FrameOrigin origin) {
    switch (origin) {
        case FrameOrigin::own:
            return "own";
        case FrameOrigin::interpreter:
            return "interpreter";
        case FrameOrigin::system:
            return "system";
        case FrameOrigin::extension:
            return "extension";
    }
    return "extension";
}

std::vector<FoldedFrame> fold_frames(const std::vector<NativeFrame>& frames) {
    std::vector<FoldedFrame> folded;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        FrameOrigin origin = origin_of(frames[i]);
        bool foldable = origin == FrameOrigin::own || origin == FrameOrigin::interpreter;
        if (foldable && !folded.empty() && folded.back().origin == origin) {
            FoldedFrame& run = folded.back();
            ++run.count;
            run.collapsed = true;
            std::string object(file_name(frames[i].object));
            if (std::find(run.objects.begin(), run.objects.end(), object) == run.objects.end()) {
                run.objects.push_back(std::move(object));
            }
            continue;
        }
        FoldedFrame entry;
        entry.origin = origin;
        entry.first = i;
        if (foldable) {
            entry.objects.emplace_back(file_name(frames[i].object));
        }
        folded.push_back(std::move(entry));
    }
    // A lone frame of a foldable origin is kept as it is.
    for (FoldedFrame& entry : folded) {
        if (!entry.collapsed) {
            entry.objects.clear();
        }
    }
    return folded;
}

}  // namespace blackbox::native
