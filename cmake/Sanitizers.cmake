# AddressSanitizer + UndefinedBehaviorSanitizer as an INTERFACE target (BLACKBOX_SANITIZE=ON).
add_library(blackbox_sanitizers INTERFACE)
if(BLACKBOX_SANITIZE)
  set(_blackbox_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
  target_link_options(blackbox_sanitizers INTERFACE ${_blackbox_san})
endif()
