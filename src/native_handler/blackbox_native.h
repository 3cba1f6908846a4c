#ifndef BLACKBOX_NATIVE_H
#define BLACKBOX_NATIVE_H

/* libblackbox_native.so: the native stacks of a dying or hung pytest process
   (docs/formats/native-stacks.md). Loaded by the plugin with ctypes; its exports have a C ABI. */

#ifdef __cplusplus
extern "C" {
#endif

/* Records native stacks into `fd`, an open O_APPEND descriptor of `native/<stem>.txt`, which
   must stay open until the process ends. Installs SA_SIGINFO|SA_ONSTACK handlers for SIGSEGV,
   SIGBUS, SIGILL, SIGFPE and SIGABRT on top of whatever handles them (normally Python's
   faulthandler), which they chain to after writing; and, unless `dump_signal` is 0, a handler
   for `dump_signal` (a real-time signal) that writes every thread's stack and lets the process
   go on. Makes sure the calling thread has an alternate signal stack, and unwinds once so that
   the first unwind in a handler allocates nothing.

   Idempotent, and meant to be called again whenever something may have installed its own
   handlers on top (faulthandler.enable() after faulthandler.disable()): ours go back on top,
   chaining to the new previous ones. The descriptor may change between calls; the dump signal
   may not.

   Returns 0, or -errno: -EBADF (not an open descriptor), -EINVAL (no O_APPEND, not a real-time
   signal, or another dump signal than the first call's), -EBUSY (something else handles
   `dump_signal`: nothing was installed, try another), or the error of a failed system call. */
__attribute__((visibility("default"))) int blackbox_native_install(int fd, int dump_signal);

/* Without a supervisor to print a post-mortem: at a fatal signal, once the handler it chains to
   (faulthandler) has written into `source_fd` (faulthandler's file, O_APPEND), copies what it
   wrote onto `terminal_fd`, then writes `note` (at most 1 KiB: where the post-mortem is). Both
   descriptors must stay open until the process ends. Returns 0 or -errno. */
__attribute__((visibility("default"))) int blackbox_native_echo(int source_fd, int terminal_fd,
                                                                 const char* note);

#ifdef __cplusplus
}
#endif

#endif
