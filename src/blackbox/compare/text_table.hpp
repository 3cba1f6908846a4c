#pragma once

// An aligned plain-text table: a header row and rows of cells, columns padded to their widest
// cell (counted in UTF-8 code points, so node ids with non-ASCII parameters stay aligned).

#include <string>
#include <vector>

namespace blackbox::compare {

enum class Align { left, right };

class TextTable {
  public:
    // One column per header cell, each with its alignment.
    TextTable(std::vector<std::string> headers, std::vector<Align> aligns);

    // Adds a row; it must have as many cells as there are headers.
    void add_row(std::vector<std::string> cells);

    // The table, each line starting with `indent` and ending with '\n'; the last column is not
    // padded, so lines carry no trailing blanks.
    std::string render(const std::string& indent) const;

  private:
    std::vector<std::string> headers_;
    std::vector<Align> aligns_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace blackbox::compare
