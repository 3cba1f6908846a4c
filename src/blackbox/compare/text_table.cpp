#include "text_table.hpp"

#include <algorithm>
#include <cstddef>

#include <blackbox/base/terminal_text.hpp>

namespace blackbox::compare {

namespace {

std::size_t display_width(const std::string& text) {
    // UTF-8 continuation bytes (10xxxxxx) do not start a character.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

}  // namespace

TextTable::TextTable(std::vector<std::string> headers, std::vector<Align> aligns)
    : headers_(std::move(headers)), aligns_(std::move(aligns)) {
    aligns_.resize(headers_.size(), Align::left);
}

void TextTable::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    for (auto& cell : cells) {
        cell = base::terminal_text(cell);  // node ids from a database: one line, shown as is
    }
    rows_.push_back(std::move(cells));
}

std::string TextTable::render(const std::string& indent) const {
    std::vector<std::size_t> widths(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(cells[i]));
        }
    };
    measure(headers_);
    for (const auto& row : rows_) {
        measure(row);
    }
    std::string text;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out = indent;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            std::size_t pad = widths[i] - display_width(cells[i]);
            bool last = i + 1 == cells.size();
            if (aligns_[i] == Align::right) {
                out.append(pad, ' ');
                out += cells[i];
            } else {
                out += cells[i];
                if (!last) {
                    out.append(pad, ' ');
                }
            }
            if (!last) {
                out += "  ";
            }
        }
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        text += out + "\n";
    };
    line(headers_);
    for (const auto& row : rows_) {
        line(row);
    }
    return text;
}

}  // namespace blackbox::compare
