#include "command_table.hpp"

int main(int argc, char** argv) {
    return blackbox::cli::main(argc, argv);
}
