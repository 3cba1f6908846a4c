#pragma once

// How a crash's native stacks read, for every view: the frames as JSON (`native_stack`, and
// `native_threads` for a dump of every thread) and as text lines, the test's extension frames
// first, our own handler's and the interpreter's folded into one line with a count. A frame
// with no name shows its object and offset, ready for `addr2line -e OBJECT OFFSET`.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/native/symbolizer.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

// Lines of a native block in the reports (HTML, JUnit, Markdown); the terminal shows its
// --max-frames.
inline constexpr std::size_t kNativeLines = 24;

// The thread the crash is about: the one a fatal signal hit, else the process's main thread
// (its pid), else the first. nullptr when there are no stacks.
const native::NativeThread* crash_thread(const postmortem::Crash& crash);

// Adds `native_stack` (crash_thread's frames, or null), `native_threads` (every thread of a
// dump, or null) and `native_source` to a crash's JSON object.
void put_native(nlohmann::json& crash_object, const postmortem::Crash& crash);

// One frame as text: "crash_in_native at ext.c:12 (ext.so+0x1139)", "libc.so.6+0x9d5f0".
std::string native_frame_text(const native::NativeFrame& frame);

// A thread's frames as text lines, innermost first, folded, at most `limit` lines (a last line
// says how many more).
std::vector<std::string> native_lines(const native::NativeThread& thread, std::size_t limit);

// The whole native block as text lines, without the heading: the crash thread's frames, or for a
// dump every thread as a line "thread 4243 (python3)" and its frames indented by two spaces.
std::vector<std::string> native_block(const postmortem::Crash& crash, std::size_t limit);

// The block as plain text for a report's crash text (JUnit, other tools' reports): "Native
// stack: <heading>" and native_block's lines (at most kNativeLines) indented; "" without stacks.
std::string native_text(const postmortem::Crash& crash);

// "SIGSEGV at 0x0 in thread 4242 (python3)" for a fatal record; "every thread (3 of 3
// answered), dumped on request" for a dump.
std::string native_heading(const postmortem::Crash& crash);

}  // namespace blackbox::report
