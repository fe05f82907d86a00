// Builds an LMDB/LevelDB of Datum records from a list file of
// "relative/path LABEL" lines: the work of the convert_imageset tool, as a
// library function so that pycaffe (caffe.convert_imageset) runs exactly the
// same conversion.
//
// Records use upstream Caffe's format: keys "%08d_<path>" in list order (or
// in the shuffled order with `shuffle`, drawn from caffe's RNG). Files that
// cannot be read are skipped with a warning, as upstream does. The database
// is written under "<db_path>.tmp-<pid>" and renamed into place only when
// complete (see caffe/util/db_output.hpp), so a failed run leaves nothing
// under the requested name; with `resume`, a run killed outright is
// continued after its last committed record.
//
// Errors: IOError for an unreadable list file, an existing output or a DB
// failure; ParseError for a malformed list line or a label that is not a
// 32-bit integer; DataError for an empty list, a list none of whose images
// can be read, an image over the pixel limit or too large for a record, or
// when check_size finds images of different sizes; ConfigError for an
// unknown backend or negative resize values. Whatever `progress` or
// `check_interrupt` throws propagates after the partial output is removed.
#pragma once

#include <functional>
#include <string>

#include "caffe/common.hpp"

namespace caffe {

struct ConvertImagesetOptions {
  bool gray = false;
  bool shuffle = false;
  string backend = "lmdb";
  int resize_height = 0;  // both > 0: resize every image (bilinear)
  int resize_width = 0;
  bool check_size = false;
  bool encoded = false;
  string encode_type;  // non-empty implies encoded
  // Called with (lines handled, total lines) every `progress_interval` lines
  // and once at the end; runs on the calling thread.
  std::function<void(int, int)> progress;
  int progress_interval = 100;
  // Replace an existing output (atomically: see caffe/util/db_output.hpp).
  bool overwrite = false;
  // Continue the temporary database of a run that was killed, after its last
  // committed record (not with shuffle); a complete output is left alone.
  bool resume = false;
  // Called before every image; throws to stop (e.g. on Ctrl-C).
  std::function<void()> check_interrupt;
};

// Returns the number of records written by this run.
int ConvertImageset(const string& root_folder, const string& list_file, const string& db_path,
                    const ConvertImagesetOptions& options);

}  // namespace caffe
