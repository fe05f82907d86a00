// compute_image_mean: the per-pixel mean of a database's Datum records, as a
// BlobProto (1 x C x H x W), with upstream Caffe's arithmetic (float sums,
// one division at the end) so the file matches upstream's byte for byte.
// A TripletDatum database gives the mean over all three images of every
// record.
#include <gflags/gflags.h>

#include <climits>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/io.hpp"

DEFINE_string(backend, "lmdb", "The backend {leveldb, lmdb} containing the images");
DEFINE_int64(max_image_pixels, caffe::MaxImagePixels(),
             "Refuse encoded images with more pixels than this (decompression bombs)");

namespace {

using caffe::string;
using caffe::vector;

// The images of one record as raw Datums: one for a Datum, three (anchor,
// positive, negative) for a TripletDatum. A TripletDatum read as a Datum
// keeps its positive and negative images as unknown fields (numbers 5 and 6
// are bytes there, an int32 label in Datum), which is how it is told apart.
vector<caffe::Datum> RecordImages(const string& source, const string& key, const string& value) {
  auto fail = [&](const string& what) {
    CAFFE_THROW(caffe::DataError, "database ", source, ", record '", key, "': ", what);
  };
  caffe::Datum datum;
  if (!datum.ParseFromString(value)) fail("not a serialized Datum or TripletDatum");
  vector<caffe::Datum> images;
  caffe::TripletDatum triplet;
  if (datum.GetReflection()->GetUnknownFields(datum).field_count() > 0 &&
      triplet.ParseFromString(value) && triplet.has_data_pos()) {
    for (const string* bytes : {&triplet.data_anchor(), &triplet.data_pos(), &triplet.data_neg()}) {
      images.emplace_back();
      images.back().set_channels(triplet.channels());
      images.back().set_height(triplet.height());
      images.back().set_width(triplet.width());
      images.back().set_encoded(triplet.encoded());
      images.back().set_data(*bytes);
    }
  } else {
    images.push_back(std::move(datum));
  }
  for (caffe::Datum& image : images) {
    try {
      caffe::DecodeDatumNative(&image);
      caffe::CheckRawDatumSize(image);
    } catch (const caffe::Error& e) {
      fail(e.what());
    }
  }
  return images;
}

int ComputeMean(const string& source, const string* output_file) {
  std::unique_ptr<caffe::db::DB> db(caffe::db::GetDB(FLAGS_backend));
  db->Open(source, caffe::db::READ);
  std::unique_ptr<caffe::db::Cursor> cursor(db->NewCursor());
  CAFFE_REQUIRE(cursor->valid(), caffe::DataError, "database ", source, " holds no records");

  const vector<caffe::Datum> first = RecordImages(source, cursor->key(), cursor->value());
  const bool triplets = first.size() == 3;
  if (triplets) LOG(INFO) << "TripletDatum records: averaging anchor, positive and negative images";
  const caffe::Datum& shape = first[0];
  const int64_t data_size =
      static_cast<int64_t>(shape.channels()) * shape.height() * shape.width();
  // A BlobProto holds at most INT_MAX values.
  CAFFE_REQUIRE(data_size <= INT_MAX, caffe::DataError, "database ", source, ", record '",
                cursor->key(), "': its shape ", shape.channels(), "x", shape.height(), "x",
                shape.width(), " has ", data_size, " values, more than a mean file can hold");
  caffe::BlobProto sum_blob;
  sum_blob.set_num(1);
  sum_blob.set_channels(shape.channels());
  sum_blob.set_height(shape.height());
  sum_blob.set_width(shape.width());
  sum_blob.mutable_data()->Resize(static_cast<int>(data_size), 0.f);
  float* sums = sum_blob.mutable_data()->mutable_data();

  LOG(INFO) << "Starting iteration";
  int64_t count = 0;
  for (; cursor->valid(); cursor->Next()) {
    const string key = cursor->key();
    for (const caffe::Datum& image : RecordImages(source, key, cursor->value())) {
      const string& data = image.data();
      const int64_t size_in_datum =
          data.empty() ? image.float_data_size() : static_cast<int64_t>(data.size());
      CAFFE_REQUIRE(size_in_datum == data_size, caffe::DataError, "database ", source,
                    ", record '", key, "': holds ", size_in_datum, " values (",
                    image.channels(), "x", image.height(), "x", image.width(),
                    "), the first record ", data_size, " (", shape.channels(), "x",
                    shape.height(), "x", shape.width(), ")");
      if (!data.empty()) {
        for (int64_t i = 0; i < data_size; ++i) sums[i] += static_cast<uint8_t>(data[i]);
      } else {
        for (int64_t i = 0; i < data_size; ++i) sums[i] += image.float_data(i);
      }
      ++count;
    }
    if (count % 10000 == 0) LOG(INFO) << "Processed " << count << " files.";
  }
  if (count % 10000 != 0) LOG(INFO) << "Processed " << count << " files.";
  for (int64_t i = 0; i < data_size; ++i) sums[i] /= count;
  if (output_file) {
    LOG(INFO) << "Write to " << *output_file;
    caffe::WriteProtoToBinaryFile(sum_blob, *output_file);
  }
  const int channels = sum_blob.channels();
  const int64_t dim = static_cast<int64_t>(sum_blob.height()) * sum_blob.width();
  LOG(INFO) << "Number of channels: " << channels;
  for (int c = 0; c < channels; ++c) {
    float channel_sum = 0;
    for (int64_t i = 0; i < dim; ++i) channel_sum += sums[dim * c + i];
    LOG(INFO) << "mean_value channel [" << c << "]: " << channel_sum / dim;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "Compute the mean_image of a set of images given by a leveldb/lmdb\n"
      "Usage:\n"
      "    compute_image_mean [FLAGS] INPUT_DB [OUTPUT_FILE]\n");
  caffe::GlobalInit(&argc, &argv);
  if (argc < 2 || argc > 3) {
    gflags::ShowUsageWithFlagsRestrict(argv[0], "tools/compute_image_mean");
    return 1;
  }
  try {
    caffe::SetMaxImagePixels(FLAGS_max_image_pixels);
    const string output = argc == 3 ? argv[2] : "";
    return ComputeMean(argv[1], argc == 3 ? &output : nullptr);
  } catch (const std::exception& e) {
    std::cerr << "compute_image_mean: error: " << e.what() << std::endl;
    return 1;
  }
}
