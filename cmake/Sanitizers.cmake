# AddressSanitizer + UndefinedBehaviorSanitizer as an INTERFACE target (BLACKBOX_SANITIZE=ON).
# The fuzz build (BLACKBOX_FUZZ=ON, clang only) adds libFuzzer's coverage instrumentation to the
# same sanitizers; its targets (tests/fuzz/) link libFuzzer's own main.
add_library(blackbox_sanitizers INTERFACE)
if(BLACKBOX_SANITIZE OR BLACKBOX_FUZZ)
  set(_blackbox_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(BLACKBOX_FUZZ)
    list(APPEND _blackbox_san -fsanitize=fuzzer-no-link)
  endif()
  target_compile_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
  target_link_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
endif()
