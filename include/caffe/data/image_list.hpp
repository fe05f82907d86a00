// Image list files, upstream's "relative/path LABEL" lines (convert_imageset
// and the ImageData layer read them; the path may hold spaces, the label is
// after the last one), and the record stream the ImageData layer reads.
//
// A list line becomes a record keyed "%08d_<path>" by its line number (the
// key convert_imageset gives it, unshuffled), so augmentation draws, which
// are keyed by record, are the same for a list and for the database
// converted from it. The record's value is the label as decimal text; the
// image file is read by whoever decodes the record.
//
// Blank lines are skipped and a trailing CR (Windows line ends) is ignored.
// Errors: IOError for a list file that cannot be read, ParseError naming
// file and line for a line without a label or whose label is not a 32-bit
// integer. All functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/data/data_reader.hpp"

namespace caffe {

typedef vector<pair<string, int>> ImageList;

ImageList ReadImageList(const string& list_file);

// The record key of list line `line` (0-based), and back to the path.
string ImageListKey(int line, const string& path);
string ImageListPath(const string& key);

// The lines as a record stream for DataReader, in list order or, with
// `shuffle`, in upstream ImageData's order: shuffled with caffe's shuffle
// from a generator seeded with `seed` before the first lap and again at the
// start of every later one.
DataReader::Opener ImageListOpener(const ImageList& lines, bool shuffle, uint32_t seed);

}  // namespace caffe
