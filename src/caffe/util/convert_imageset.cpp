#include "caffe/util/convert_imageset.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "caffe/data/image_list.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/rng.hpp"

namespace caffe {
namespace {

const int kRecordsPerCommit = 1000;

string GuessEncoding(const string& path) {
  const size_t dot = path.rfind('.');
  if (dot == string::npos) {
    LOG(WARNING) << "Failed to guess the encoding of '" << path << "'";
    return "";
  }
  string encoding = path.substr(dot + 1);
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return encoding;
}

void RemoveTree(const string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) LOG(WARNING) << "could not remove " << path << ": " << error.message();
}

}  // namespace

int ConvertImageset(const string& root_folder, const string& list_file, const string& db_path,
                    const ConvertImagesetOptions& options) {
  const bool is_color = !options.gray;
  ImageList lines = ReadImageList(list_file);
  if (options.shuffle) {
    LOG(INFO) << "Shuffling data";
    shuffle(lines.begin(), lines.end());
  }
  const int total = static_cast<int>(lines.size());
  LOG(INFO) << "A total of " << total << " images.";
  if (!options.encode_type.empty() && !options.encoded) {
    LOG(INFO) << "encode_type specified, assuming encoded=true.";
  }
  const int resize_height = std::max(0, options.resize_height);
  const int resize_width = std::max(0, options.resize_width);
  const int progress_interval = std::max(1, options.progress_interval);

  CAFFE_REQUIRE(!FileExists(db_path), IOError, "output database ", db_path, " already exists");
  const string temp_name = db_path + ".tmp-" + std::to_string(getpid());
  std::unique_ptr<db::DB> db(db::GetDB(options.backend));
  int count = 0;
  try {
    db->Open(temp_name, db::NEW);
    std::unique_ptr<db::Transaction> txn(db->NewTransaction());
    Datum datum;
    int data_size = -1;
    string serialized;
    for (int line_id = 0; line_id < total; ++line_id) {
      if (options.progress && line_id > 0 && line_id % progress_interval == 0) {
        options.progress(line_id, total);
      }
      const string& path = lines[line_id].first;
      string encoding = options.encode_type;
      if (options.encoded && encoding.empty()) encoding = GuessEncoding(path);
      if (!ReadImageToDatum(root_folder + path, lines[line_id].second, resize_height,
                            resize_width, is_color, encoding, &datum)) {
        continue;
      }
      if (options.check_size) {
        if (data_size < 0) {
          data_size = datum.channels() * datum.height() * datum.width();
        } else {
          CAFFE_REQUIRE(static_cast<int>(datum.data().size()) == data_size, DataError, "image ",
                        root_folder + path, " gives ", datum.data().size(),
                        " bytes of data, the first image gave ", data_size, " (check_size)");
        }
      }
      CHECK(datum.SerializeToString(&serialized));
      txn->Put(ImageListKey(line_id, path), serialized);
      if (++count % kRecordsPerCommit == 0) {
        txn->Commit();
        txn.reset(db->NewTransaction());
        LOG(INFO) << "Processed " << count << " files.";
      }
    }
    if (count % kRecordsPerCommit != 0) {
      txn->Commit();
      LOG(INFO) << "Processed " << count << " files.";
    }
    txn.reset();
    db->Close();
    if (options.progress) options.progress(total, total);
  } catch (...) {
    db.reset();
    RemoveTree(temp_name);
    throw;
  }
  if (std::rename(temp_name.c_str(), db_path.c_str()) != 0) {
    RemoveTree(temp_name);
    CAFFE_THROW(IOError, "cannot move ", temp_name, " to ", db_path);
  }
  return count;
}

}  // namespace caffe
