// Helpers shared by the data-path tests: the upstream digits fixtures, a
// self-deleting temporary directory, and small database writers/readers.
#pragma once

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/db.hpp"
#include "util/fixtures.hpp"

namespace caffe {
namespace testing_data {

// The upstream digits set and databases (this process's copy).
inline string DigitsDir() { return UpstreamDigits(); }

// The (path, label) lines of a Caffe list file; throws std::runtime_error when
// the file cannot be read, so a test never indexes an empty list.
inline vector<pair<string, int>> ReadListFile(const string& list_path) {
  std::ifstream in(list_path);
  if (!in) throw std::runtime_error("cannot read the list file " + list_path);
  vector<pair<string, int>> lines;
  string path;
  int label;
  while (in >> path >> label) lines.emplace_back(path, label);
  return lines;
}

// The (path, label) lines of a digits list file ("train.txt").
inline vector<pair<string, int>> ReadDigitsList(const string& name) {
  return ReadListFile(DigitsDir() + "/" + name);
}

// The grey 28x28 pixels of a listed digit image.
inline cv::Mat ReadDigit(const string& relative_path) {
  return cv::imread(DigitsDir() + "/" + relative_path, cv::IMREAD_GRAYSCALE);
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/caffe_data_test_XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const string& path() const { return path_; }
  string Join(const string& name) const { return path_ + "/" + name; }

 private:
  string path_;
};

// A writable copy of a fixture database (LevelDB writes into its directory
// when opened, and the fixtures must stay untouched).
inline string CopyFixture(const string& name, const TempDir& dir) {
  const string target = dir.Join(name);
  std::filesystem::copy(DigitsDir() + "/" + name, target);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(target)) {
    std::filesystem::permissions(entry.path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add);
  }
  std::filesystem::permissions(target, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add);
  return target;
}

inline void WriteDB(const string& backend, const string& path,
                    const vector<pair<string, string>>& records) {
  std::unique_ptr<db::DB> database(db::GetDB(backend));
  database->Open(path, db::NEW);
  std::unique_ptr<db::Transaction> txn(database->NewTransaction());
  for (const auto& record : records) txn->Put(record.first, record.second);
  txn->Commit();
}

inline vector<pair<string, string>> ReadDB(const string& backend, const string& path) {
  std::unique_ptr<db::DB> database(db::GetDB(backend));
  database->Open(path, db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  vector<pair<string, string>> records;
  for (; cursor->valid(); cursor->Next()) records.emplace_back(cursor->key(), cursor->value());
  return records;
}

inline string SerializedDatum(int channels, int height, int width, const string& data,
                              int label) {
  Datum datum;
  datum.set_channels(channels);
  datum.set_height(height);
  datum.set_width(width);
  datum.set_data(data);
  datum.set_label(label);
  return datum.SerializeAsString();
}

}  // namespace testing_data
}  // namespace caffe
