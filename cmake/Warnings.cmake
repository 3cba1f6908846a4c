# Warnings as an INTERFACE target; BLACKBOX_WERROR (on in CI) turns them into errors.
add_library(blackbox_warnings INTERFACE)
target_compile_options(blackbox_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(BLACKBOX_WERROR)
  target_compile_options(blackbox_warnings INTERFACE -Werror)
  # GCC 12 at -O3 (Release) reports -Wrestrict and -Wnull-dereference inside libstdc++'s own
  # inlined std::string and std::vector code (GCC bug 105329 and its kin) at a dozen call sites
  # that are correct: there they stay warnings, not errors.
  target_compile_options(blackbox_warnings INTERFACE
    "$<$<AND:$<CXX_COMPILER_ID:GNU>,$<CONFIG:Release>>:-Wno-error=restrict;-Wno-error=null-dereference>")
endif()
