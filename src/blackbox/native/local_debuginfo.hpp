#pragma once

// Where the symbolizer finds an object's separate debug information: on this machine only.
//
// elfutils' dwfl_standard_find_debuginfo, once its build-id and path searches find nothing, asks
// the debuginfod servers of DEBUGINFOD_URLS over the network, which may take minutes per object;
// a post-mortem must never wait on that. This callback does the same local searches and stops
// there:
//   - by build-id under /usr/lib/debug/.build-id/ (dwfl_build_id_find_debuginfo: Debian's -dbg
//     and -dbgsym packages, Fedora's debuginfo), which also finds dwz's shared files;
//   - by .gnu_debuglink name, in the object's directory, its .debug/ subdirectory, and
//     /usr/lib/debug/ followed by the object's directory; a candidate is kept when its build-id
//     is the object's (or, for an object without one, when its CRC-32 is the link's).

#include <elfutils/libdwfl.h>

namespace blackbox::native {

// A Dwfl_Callbacks::find_debuginfo. Never throws (it is called from C).
int find_local_debuginfo(Dwfl_Module* module, void** userdata, const char* module_name,
                         Dwarf_Addr base, const char* file_name, const char* debuglink_file,
                         GElf_Word debuglink_crc, char** debuginfo_file_name) noexcept;

}  // namespace blackbox::native
