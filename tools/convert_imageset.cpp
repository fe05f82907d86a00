// convert_imageset: builds an LMDB/LevelDB of Datum records from a list file
// of "relative/path LABEL" lines, with upstream Caffe's flags and record
// format (keys "%08d_<path>", list order unless -shuffle).
//
// The database is written under "<DB_NAME>.tmp-<pid>" and renamed into place
// only when complete, so a failed run never leaves a half-written database
// under the requested name.
#include <gflags/gflags.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/rng.hpp"

DEFINE_bool(gray, false, "When this option is on, treat images as grayscale ones");
DEFINE_bool(shuffle, false, "Randomly shuffle the order of images and their labels");
DEFINE_string(backend, "lmdb", "The backend {lmdb, leveldb} for storing the result");
DEFINE_int32(resize_width, 0, "Width images are resized to");
DEFINE_int32(resize_height, 0, "Height images are resized to");
DEFINE_bool(check_size, false, "When this option is on, check that all the datum have the same size");
DEFINE_bool(encoded, false, "When this option is on, the encoded image will be save in datum");
DEFINE_string(encode_type, "", "Optional: What type should we encode the image as ('png','jpg',...).");

namespace {

using caffe::string;

const int kRecordsPerCommit = 1000;

std::vector<std::pair<string, int>> ReadListFile(const string& list_file) {
  std::ifstream in(list_file);
  CAFFE_REQUIRE(in.good(), caffe::IOError, "cannot open list file ", list_file);
  std::vector<std::pair<string, int>> lines;
  string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const size_t space = line.find_last_of(' ');
    CAFFE_REQUIRE(space != string::npos, caffe::ParseError, list_file, ":", line_number,
                  ": expected 'PATH LABEL', got '", line, "'");
    lines.emplace_back(line.substr(0, space), std::atoi(line.substr(space + 1).c_str()));
  }
  return lines;
}

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

string RecordKey(int line_id, const string& path) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08d", line_id);
  return string(prefix) + "_" + path;
}

void RemoveTree(const string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) LOG(WARNING) << "could not remove " << path << ": " << error.message();
}

int Convert(const string& root_folder, const string& list_file, const string& db_name) {
  const bool is_color = !FLAGS_gray;
  const string& encode_type = FLAGS_encode_type;
  std::vector<std::pair<string, int>> lines = ReadListFile(list_file);
  if (FLAGS_shuffle) {
    LOG(INFO) << "Shuffling data";
    caffe::shuffle(lines.begin(), lines.end());
  }
  LOG(INFO) << "A total of " << lines.size() << " images.";
  if (!encode_type.empty() && !FLAGS_encoded) {
    LOG(INFO) << "encode_type specified, assuming encoded=true.";
  }
  const int resize_height = std::max(0, FLAGS_resize_height);
  const int resize_width = std::max(0, FLAGS_resize_width);

  CAFFE_REQUIRE(!caffe::FileExists(db_name), caffe::IOError, "output database ", db_name,
                " already exists");
  const string temp_name = db_name + ".tmp-" + std::to_string(getpid());
  std::unique_ptr<caffe::db::DB> db(caffe::db::GetDB(FLAGS_backend));
  try {
    db->Open(temp_name, caffe::db::NEW);
    std::unique_ptr<caffe::db::Transaction> txn(db->NewTransaction());
    caffe::Datum datum;
    int count = 0;
    int data_size = -1;
    string serialized;
    for (int line_id = 0; line_id < static_cast<int>(lines.size()); ++line_id) {
      const string& path = lines[line_id].first;
      string encoding = encode_type;
      if (FLAGS_encoded && encoding.empty()) encoding = GuessEncoding(path);
      if (!caffe::ReadImageToDatum(root_folder + path, lines[line_id].second, resize_height,
                                   resize_width, is_color, encoding, &datum)) {
        continue;
      }
      if (FLAGS_check_size) {
        if (data_size < 0) {
          data_size = datum.channels() * datum.height() * datum.width();
        } else {
          CAFFE_REQUIRE(static_cast<int>(datum.data().size()) == data_size, caffe::DataError,
                        "image ", root_folder + path, " gives ", datum.data().size(),
                        " bytes of data, the first image gave ", data_size,
                        " (-check_size)");
        }
      }
      CHECK(datum.SerializeToString(&serialized));
      txn->Put(RecordKey(line_id, path), serialized);
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
  } catch (...) {
    db.reset();
    RemoveTree(temp_name);
    throw;
  }
  if (std::rename(temp_name.c_str(), db_name.c_str()) != 0) {
    RemoveTree(temp_name);
    CAFFE_THROW(caffe::IOError, "cannot move ", temp_name, " to ", db_name);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "Convert a set of images to the leveldb/lmdb\n"
      "format used as input for Caffe.\n"
      "Usage:\n"
      "    convert_imageset [FLAGS] ROOTFOLDER/ LISTFILE DB_NAME\n"
      "The ImageNet dataset for the training demo is at\n"
      "    http://www.image-net.org/download-images\n");
  caffe::GlobalInit(&argc, &argv);
  if (argc < 4) {
    gflags::ShowUsageWithFlagsRestrict(argv[0], "tools/convert_imageset");
    return 1;
  }
  try {
    return Convert(argv[1], argv[2], argv[3]);
  } catch (const std::exception& e) {
    std::cerr << "convert_imageset: error: " << e.what() << std::endl;
    return 1;
  }
}
