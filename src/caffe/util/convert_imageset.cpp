#include "caffe/util/convert_imageset.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "caffe/data/image_list.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/db_output.hpp"
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

// The list position after the last record of a resumed database; checks the
// record belongs to the same list in the same order.
int ResumePosition(db::DB* database, const string& temporary,
                   const ImageList& lines, const string& list_file) {
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  cursor->SeekToLast();
  if (!cursor->valid()) return 0;
  const string key = cursor->key();
  const size_t underscore = key.find('_');
  char* end = nullptr;
  const long index = std::strtol(key.c_str(), &end, 10);
  CAFFE_REQUIRE(underscore != string::npos && end == key.c_str() + underscore && index >= 0 &&
                    index < static_cast<long>(lines.size()) &&
                    key.substr(underscore + 1) == lines[index].first,
                ConfigError, "cannot resume from ", temporary, ": its last record '", key,
                "' is not line ", index + 1, " of ", list_file,
                " (was the list, or its order, changed?)");
  return static_cast<int>(index) + 1;
}

}  // namespace

int ConvertImageset(const string& root_folder, const string& list_file, const string& db_path,
                    const ConvertImagesetOptions& options) {
  const bool is_color = !options.gray;
  CAFFE_REQUIRE(options.resize_height >= 0 && options.resize_width >= 0, ConfigError,
                "resize_height and resize_width must not be negative, got ",
                options.resize_height, " and ", options.resize_width);
  if ((options.resize_height > 0) != (options.resize_width > 0)) {
    LOG(WARNING) << "only one of resize_height (" << options.resize_height
                 << ") and resize_width (" << options.resize_width
                 << ") is set: images are not resized (give both to resize)";
  }
  CAFFE_REQUIRE(!(options.resume && options.shuffle), ConfigError,
                "-resume cannot be combined with -shuffle: the shuffled order is not "
                "reproducible, so the records already written could not be matched");
  ImageList lines = ReadImageList(list_file);
  CAFFE_REQUIRE(!lines.empty(), DataError, "list file ", list_file,
                " holds no 'PATH LABEL' lines: nothing to convert");
  if (options.shuffle) {
    LOG(INFO) << "Shuffling data";
    shuffle(lines.begin(), lines.end());
  }
  const int total = static_cast<int>(lines.size());
  LOG(INFO) << "A total of " << total << " images.";
  if (!options.encode_type.empty() && !options.encoded) {
    LOG(INFO) << "encode_type specified, assuming encoded=true.";
  }
  const int progress_interval = std::max(1, options.progress_interval);

  if (options.resume && FileExists(db_path)) {
    LOG(INFO) << db_path << " is complete: nothing to resume";
    return 0;
  }
  const OutputPlan plan = PrepareOutput(db_path, options.overwrite, options.resume);
  const string temp_name = TemporaryOutputName(db_path);
  std::unique_ptr<db::DB> db(db::GetDB(options.backend));
  int count = 0;
  int unreadable = 0;
  try {
    int first_line = 0;
    if (!plan.resumed_from.empty()) {
      db->Open(temp_name, db::WRITE);
      first_line = ResumePosition(db.get(), plan.resumed_from, lines, list_file);
      LOG(INFO) << "Resuming " << plan.resumed_from << " at line " << first_line + 1 << " of "
                << total;
    } else {
      db->Open(temp_name, db::NEW);
    }
    std::unique_ptr<db::Transaction> txn(db->NewTransaction());
    Datum datum;
    int64_t data_size = -1;
    string serialized;
    for (int line_id = first_line; line_id < total; ++line_id) {
      if (options.check_interrupt) options.check_interrupt();
      if (options.progress && line_id > 0 && line_id % progress_interval == 0) {
        options.progress(line_id, total);
      }
      const string& path = lines[line_id].first;
      const string file = root_folder + path;
      string encoding = options.encode_type;
      if (options.encoded && encoding.empty()) encoding = GuessEncoding(path);
      if (!ReadImageToDatum(file, lines[line_id].second, options.resize_height,
                            options.resize_width, is_color, encoding, &datum)) {
        ++unreadable;
        continue;
      }
      if (options.check_size) {
        const int64_t size = static_cast<int64_t>(datum.channels()) * datum.height() * datum.width();
        if (data_size < 0) {
          data_size = size;
        } else {
          CAFFE_REQUIRE(static_cast<int64_t>(datum.data().size()) == data_size, DataError,
                        "image ", file, " gives ", datum.data().size(),
                        " bytes of data, the first image gave ", data_size, " (check_size)");
        }
      }
      SerializeRecord(datum, "image " + file, &serialized);
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
    CAFFE_REQUIRE(count > 0 || first_line > 0, DataError, "none of the ", total,
                  " images listed in ", list_file, " could be read (root folder '",
                  root_folder, "'): nothing was written");
    if (unreadable > 0) {
      LOG(WARNING) << unreadable << " of " << total - first_line
                   << " images could not be read and were skipped";
    }
    db->Close();
    db.reset();
    PublishOutput(temp_name, db_path);
    if (options.progress) options.progress(total, total);
  } catch (...) {
    db.reset();
    RemoveOutputTree(temp_name);
    throw;
  }
  return count;
}

}  // namespace caffe
