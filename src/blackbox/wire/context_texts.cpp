#include <blackbox/wire/context_texts.hpp>

namespace blackbox::wire {

void read_context_texts(FieldReader& in, store::ExecutionContextRow& row) {
    row.cpu_type = in.text("cpu_type", 64);
    row.cpu_vendor = in.text("cpu_vendor", 256);
    row.machine_node = in.text("machine_node", 512);
    row.machine_type = in.text("machine_type", 32);
    row.machine_arch = in.text("machine_arch", 16);
    row.system_info = in.text("system_info", 256);
    row.python_info = in.text("python_info", 512);
}

}  // namespace blackbox::wire
