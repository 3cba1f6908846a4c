#pragma once

// An execution context's texts, read alike from both protocols (pytest-monitor's POST /contexts/
// and a push's head name them with the same keys), each refused past its column's width
// (EXECUTION_CONTEXTS' varchar(N), docs/formats/metrics-db.md).

#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/wire/field_reader.hpp>

namespace blackbox::wire {

// cpu_type, cpu_vendor, machine_node, machine_type, machine_arch, system_info and python_info.
void read_context_texts(FieldReader& in, store::ExecutionContextRow& row);

}  // namespace blackbox::wire
