#include "util/fixtures.hpp"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

namespace caffe {
namespace testing_data {

namespace fs = std::filesystem;

std::string CopyTreeToTemporary(const std::string& source) {
  if (!fs::is_directory(source)) {
    throw std::runtime_error("test fixtures not found: " + source +
                             " is not a folder (the repository's tests/fixtures/upstream)");
  }
  char pattern[] = "/tmp/caffe_fixtures_XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a folder in /tmp");
  const std::string copy = pattern;
  fs::copy(source, copy, fs::copy_options::recursive);
  // Writable, whatever the checkout's modes: the databases are opened for writing by some tests.
  for (const auto& entry : fs::recursive_directory_iterator(copy)) {
    fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::add);
  }
  return copy;
}

namespace {

// Owns the process's copy and removes it when the process exits normally.
class FixtureCopy {
 public:
  explicit FixtureCopy(const std::string& source) : path_(CopyTreeToTemporary(source)) {}
  ~FixtureCopy() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::string UpstreamFixtures() {
  if (!fs::is_directory(CAFFE_FIXTURES_DIR)) {
    throw std::runtime_error(std::string("test fixtures not found: ") + CAFFE_FIXTURES_DIR +
                             " is not a folder");
  }
  return CAFFE_FIXTURES_DIR;
}

const std::string& UpstreamDigits() {
  static const FixtureCopy copy(UpstreamFixtures() + "/digits");
  return copy.path();
}

}  // namespace testing_data
}  // namespace caffe
