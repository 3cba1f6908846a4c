# Warnings as an INTERFACE target; BLACKBOX_WERROR (on in CI) turns them into errors.
add_library(blackbox_warnings INTERFACE)
target_compile_options(blackbox_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(BLACKBOX_WERROR)
  target_compile_options(blackbox_warnings INTERFACE -Werror)
endif()
