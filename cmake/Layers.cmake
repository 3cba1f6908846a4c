# The core is one static library per folder of src/blackbox/ (a folder is a namespace and a
# layer): blackbox_layer(<folder> DEPS <folders> LIBS <targets>) declares what the folder may
# use. The build enforces it: before a layer compiles, cmake/CheckLayer.cmake reads its files'
# `#include` lines and fails on a folder of ours that DEPS does not name or on a third-party
# header whose library LIBS does not name (so libpqxx, say, reaches only the layer that asks for
# it), and a layer links only the libraries it names. `blackbox_core` is every layer together, for the binary and the tests.
add_library(blackbox_core INTERFACE)

# The third-party headers a layer may include only when it links their library (fmt and
# nlohmann's JSON come with base, to every layer).
set(BLACKBOX_GUARDED_HEADERS
  "pqxx=PkgConfig::PQXX" "libpq-fe.h=PkgConfig::PQXX" "microhttpd.h=PkgConfig::MHD"
  "curl/=CURL::libcurl" "SQLiteCpp/=SQLiteCpp" "sqlite3.h=SQLiteCpp"
  "pugixml.hpp=pugixml::pugixml" "simdjson.h=simdjson::simdjson" "zlib.h=ZLIB::ZLIB"
  "openssl/=OpenSSL::Crypto" "CLI/=CLI11::CLI11" "elfutils/=PkgConfig::LIBDW"
  "dwarf.h=PkgConfig::LIBDW" "libelf.h=PkgConfig::LIBDW" "gelf.h=PkgConfig::LIBDW")

function(blackbox_layer name)
  cmake_parse_arguments(LAYER "" "" "DEPS;LIBS" ${ARGN})
  set(folder ${CMAKE_SOURCE_DIR}/src/blackbox/${name})
  file(GLOB sources CONFIGURE_DEPENDS ${folder}/*.cpp)
  file(GLOB headers CONFIGURE_DEPENDS ${folder}/*.hpp)
  set(stamp ${CMAKE_BINARY_DIR}/layers/${name}.checked)
  set(allowed ${name} ${LAYER_DEPS})
  list(JOIN allowed "," allowed)
  set(guarded "")
  foreach(entry ${BLACKBOX_GUARDED_HEADERS})
    string(REPLACE "=" ";" pair "${entry}")
    list(GET pair 0 header)
    list(GET pair 1 library)
    if(NOT library IN_LIST LAYER_LIBS)
      list(APPEND guarded ${header})
    endif()
  endforeach()
  list(JOIN guarded "," guarded)
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLAYER=${name} "-DALLOWED=${allowed}" "-DREFUSED=${guarded}"
            -DFOLDER=${folder}
            -DSTAMP=${stamp} -P ${CMAKE_SOURCE_DIR}/cmake/CheckLayer.cmake
    DEPENDS ${sources} ${headers} ${CMAKE_SOURCE_DIR}/cmake/CheckLayer.cmake
    COMMENT "Checking what the ${name} layer includes"
    VERBATIM)
  add_library(blackbox_${name} STATIC ${sources} ${stamp})
  target_include_directories(blackbox_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  list(TRANSFORM LAYER_DEPS PREPEND blackbox_ OUTPUT_VARIABLE layer_deps)
  target_link_libraries(blackbox_${name}
    PUBLIC ${layer_deps} ${LAYER_LIBS}
    PRIVATE blackbox_warnings blackbox_sanitizers)
  target_compile_definitions(blackbox_${name} PUBLIC BLACKBOX_VERSION="${PROJECT_VERSION}")
  target_link_libraries(blackbox_core INTERFACE blackbox_${name})
endfunction()
