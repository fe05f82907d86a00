// compute_image_mean: the per-pixel mean of a database's Datum records, as a
// BlobProto (1 x C x H x W), with upstream Caffe's arithmetic (float sums,
// one division at the end) so the file matches upstream's byte for byte.
#include <gflags/gflags.h>

#include <algorithm>
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

namespace {

using caffe::string;

int ComputeMean(const string& source, const string* output_file) {
  std::unique_ptr<caffe::db::DB> db(caffe::db::GetDB(FLAGS_backend));
  db->Open(source, caffe::db::READ);
  std::unique_ptr<caffe::db::Cursor> cursor(db->NewCursor());
  CAFFE_REQUIRE(cursor->valid(), caffe::DataError, "database ", source, " holds no records");

  caffe::Datum datum;
  auto parse = [&](const string& key) {
    CAFFE_REQUIRE(datum.ParseFromString(cursor->value()), caffe::DataError, "database ",
                  source, ", record '", key, "': not a serialized Datum");
    try {
      if (caffe::DecodeDatumNative(&datum)) return true;
    } catch (const caffe::Error& e) {
      CAFFE_THROW(caffe::DataError, "database ", source, ", record '", key, "': ", e.what());
    }
    return false;
  };
  if (parse(cursor->key())) LOG(INFO) << "Decoding Datum";

  caffe::BlobProto sum_blob;
  sum_blob.set_num(1);
  sum_blob.set_channels(datum.channels());
  sum_blob.set_height(datum.height());
  sum_blob.set_width(datum.width());
  const int data_size = datum.channels() * datum.height() * datum.width();
  const int first_size =
      std::max<int>(static_cast<int>(datum.data().size()), datum.float_data_size());
  for (int i = 0; i < first_size; ++i) sum_blob.add_data(0.f);

  LOG(INFO) << "Starting iteration";
  int count = 0;
  for (; cursor->valid(); cursor->Next()) {
    const string key = cursor->key();
    parse(key);
    const string& data = datum.data();
    const int size_in_datum =
        std::max<int>(static_cast<int>(data.size()), datum.float_data_size());
    CAFFE_REQUIRE(size_in_datum == data_size && sum_blob.data_size() == data_size,
                  caffe::DataError, "database ", source, ", record '", key, "': holds ",
                  size_in_datum, " values, expected ", data_size);
    if (!data.empty()) {
      for (int i = 0; i < size_in_datum; ++i) {
        sum_blob.set_data(i, sum_blob.data(i) + static_cast<uint8_t>(data[i]));
      }
    } else {
      for (int i = 0; i < size_in_datum; ++i) {
        sum_blob.set_data(i, sum_blob.data(i) + datum.float_data(i));
      }
    }
    if (++count % 10000 == 0) LOG(INFO) << "Processed " << count << " files.";
  }
  if (count % 10000 != 0) LOG(INFO) << "Processed " << count << " files.";
  for (int i = 0; i < sum_blob.data_size(); ++i) {
    sum_blob.set_data(i, sum_blob.data(i) / count);
  }
  if (output_file) {
    LOG(INFO) << "Write to " << *output_file;
    caffe::WriteProtoToBinaryFile(sum_blob, *output_file);
  }
  const int channels = sum_blob.channels();
  const int dim = sum_blob.height() * sum_blob.width();
  LOG(INFO) << "Number of channels: " << channels;
  for (int c = 0; c < channels; ++c) {
    float channel_sum = 0;
    for (int i = 0; i < dim; ++i) channel_sum += sum_blob.data(dim * c + i);
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
    const string output = argc == 3 ? argv[2] : "";
    return ComputeMean(argv[1], argc == 3 ? &output : nullptr);
  } catch (const std::exception& e) {
    std::cerr << "compute_image_mean: error: " << e.what() << std::endl;
    return 1;
  }
}
