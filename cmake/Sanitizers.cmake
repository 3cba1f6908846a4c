# AddressSanitizer + UndefinedBehaviorSanitizer as an INTERFACE target (BLACKBOX_SANITIZE=ON).
# The fuzz build (BLACKBOX_FUZZ=ON, clang only) adds libFuzzer's coverage instrumentation to the
# same sanitizers; its targets (tests/fuzz/) link libFuzzer's own main.
# The build type `Sanitize` (scripts/build --sanitize) is unoptimized and carries only the line
# tables the sanitizers' stack traces need: CI compiles it cold, and clang's -O1 with the
# sanitizers took twice the CPU time of -O0 here (25 min against about 13 for the whole build).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(CMAKE_CXX_FLAGS_SANITIZE "-O0 -gline-tables-only")
else()
  set(CMAKE_CXX_FLAGS_SANITIZE "-O0 -g1")
endif()
set(CMAKE_C_FLAGS_SANITIZE "${CMAKE_CXX_FLAGS_SANITIZE}")
add_library(blackbox_sanitizers INTERFACE)
if(BLACKBOX_SANITIZE OR BLACKBOX_FUZZ)
  set(_blackbox_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(BLACKBOX_FUZZ)
    list(APPEND _blackbox_san -fsanitize=fuzzer-no-link)
  endif()
  target_compile_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
  target_link_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
endif()
