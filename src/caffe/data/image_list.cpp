#include "caffe/data/image_list.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numeric>
#include <utility>

#include "caffe/util/rng.hpp"

namespace caffe {

namespace {

// "%08d_": the key's line-number prefix.
const size_t kKeyPrefixLength = 9;

// Walks a list's lines, a lap at a time, in list or shuffled order.
class ImageListCursor : public RecordCursor {
 public:
  ImageListCursor(std::shared_ptr<const ImageList> lines, bool shuffle, uint32_t seed)
      : lines_(std::move(lines)), shuffle_(shuffle), generator_(seed), order_(lines_->size()) {
    std::iota(order_.begin(), order_.end(), 0);
    SeekToFirst();
  }
  void SeekToFirst() override {
    if (shuffle_) caffe::shuffle(order_.begin(), order_.end(), &generator_);
    position_ = 0;
  }
  void Next() override { ++position_; }
  string key() const override {
    const int line = order_[position_];
    return ImageListKey(line, (*lines_)[line].first);
  }
  string value() const override { return std::to_string((*lines_)[order_[position_]].second); }
  bool valid() const override { return position_ < order_.size(); }

 private:
  // Shared by the cursors of one layer's successive readers.
  const std::shared_ptr<const ImageList> lines_;
  const bool shuffle_;
  Caffe::rng_t generator_;
  vector<int> order_;
  size_t position_ = 0;
};

// Labels are whole numbers within int's range: "abc", "1.5" or
// "99999999999999" would otherwise become 0, 1 or a wrapped value.
int ParseLabel(const string& text, const string& list_file, int line_number) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  CAFFE_REQUIRE(!text.empty() && *end == '\0', ParseError, list_file, ":", line_number,
                ": label '", text, "' is not an integer");
  CAFFE_REQUIRE(errno != ERANGE && value >= INT_MIN && value <= INT_MAX, ParseError, list_file,
                ":", line_number, ": label ", text, " is out of range (a label is a 32-bit "
                "integer)");
  return static_cast<int>(value);
}

}  // namespace

ImageList ReadImageList(const string& list_file) {
  std::ifstream in(list_file);
  CAFFE_REQUIRE(in.good(), IOError, "cannot open list file ", list_file);
  ImageList lines;
  string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == string::npos) continue;
    const size_t space = line.find_last_of(' ');
    CAFFE_REQUIRE(space != string::npos && space > 0, ParseError, list_file, ":", line_number,
                  ": expected 'PATH LABEL', got '", line, "'");
    lines.emplace_back(line.substr(0, space),
                       ParseLabel(line.substr(space + 1), list_file, line_number));
  }
  return lines;
}

string ImageListKey(int line, const string& path) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08d_", line);
  return string(prefix) + path;
}

string ImageListPath(const string& key) {
  CHECK_GE(key.size(), kKeyPrefixLength) << "not an image list key: " << key;
  return key.substr(kKeyPrefixLength);
}

DataReader::Opener ImageListOpener(const ImageList& lines, bool shuffle, uint32_t seed) {
  auto shared_lines = std::make_shared<const ImageList>(lines);
  return [shared_lines, shuffle, seed]() -> std::unique_ptr<RecordCursor> {
    return std::make_unique<ImageListCursor>(shared_lines, shuffle, seed);
  };
}

}  // namespace caffe
