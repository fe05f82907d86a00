// Building TripletDatum databases from image files (the library behind the
// convert_triplet_db tool; kept free of gflags so other front ends, such as
// Python bindings, can call it).
//
// Input is a list of triplets (anchor, positive, negative paths relative to
// a root folder, plus float labels), read from a list file or sampled from a
// folder-per-class tree. Records are keyed "%08d_<anchor path>" (the
// triplet's position after shuffling) and written in batches of 1000 into
// "<output>.tmp-<pid>", which is renamed to <output> only when complete.
//
// Errors: a list line that does not parse is a ParseError naming file and
// line; an image that cannot be read is an IOError naming the triplet's line
// and the file (unless skip_missing); an existing output without overwrite,
// or a database that cannot be written, is an IOError; images of different
// shapes within a raw triplet, or (check_size) unlike the first triplet's,
// are a DataError naming the line, and so are an empty list, a run in which
// every triplet was skipped, and a triplet too large for one record. A label
// that is not a finite number is a ParseError. A failed run removes its
// temporary database and leaves any existing output untouched; replacing an
// existing output is atomic (caffe/util/db_output.hpp).
//
// Thread-safety: the functions share no state; call them from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

struct TripletEntry {
  string anchor, positive, negative;
  vector<float> labels;
  // Where it came from, for messages: "list.txt:12" or "sampled #12".
  string origin;
};

// Lines "anchor positive negative [label ...]" (blank lines ignored).
vector<TripletEntry> ReadTripletList(const string& list_file);

// Samples triplets from root_folder/<class>/<image>: for every image of every
// class with at least two images, `triplets_per_anchor` triplets whose
// positive is another image of the class and whose negative is an image of
// another class, chosen with a generator seeded by `seed`. Classes are
// numbered in name order; labels are {anchor class, negative class}. Needs
// at least two classes.
vector<TripletEntry> SampleTripletsFromFolders(const string& root_folder,
                                               int triplets_per_anchor, uint32_t seed);

struct TripletConvertOptions {
  string backend = "lmdb";  // "lmdb" or "leveldb"
  bool shuffle = false;     // shuffle the triplets with `seed` before writing
  uint32_t seed = 0;
  int resize_height = 0;    // both > 0: resize every image
  int resize_width = 0;
  bool gray = false;        // read images as grey (else BGR colour)
  bool encoded = false;     // store encoded images
  string encode_type;       // "png", "jpg", ...; empty: each file's extension
  bool check_size = false;  // all raw triplets must have the first one's shape
  bool skip_missing = false;  // skip triplets whose images cannot be read
  bool overwrite = false;   // replace an existing output (atomically)
  // Continue the temporary database of a run that was killed, after its last
  // committed triplet (same list, -shuffle and -seed); a complete output is
  // left alone.
  bool resume = false;
  // Called before every triplet; throws to stop (e.g. on Ctrl-C).
  std::function<void()> check_interrupt;
};

struct TripletConvertProgress {
  int64_t done = 0;      // triplets handled (written or skipped)
  int64_t total = 0;
  int64_t written = 0;
  int64_t skipped = 0;
  double seconds = 0;    // since the start
  double rate = 0;       // triplets per second
  double eta_seconds = 0;
};
using TripletProgressCallback = std::function<void(const TripletConvertProgress&)>;

// Reads an entry's three images into *datum (labels included). Returns false
// when an image cannot be read (`missing` names it); throws DataError when
// raw images of one triplet differ in shape.
bool ReadTripletToDatum(const string& root_folder, const TripletEntry& entry,
                        const TripletConvertOptions& options, TripletDatum* datum,
                        string* missing);

// Writes the entries to output_db; progress is called after every commit and
// at the end. Returns the final counts.
TripletConvertProgress ConvertTriplets(const string& root_folder,
                                       vector<TripletEntry> entries, const string& output_db,
                                       const TripletConvertOptions& options,
                                       const TripletProgressCallback& progress = nullptr);

}  // namespace caffe
