// Fuzz target: database record values as the data path decodes them. The
// bytes are parsed as a Datum and as a TripletDatum; every image is decoded
// (encoded: through the pixel limit and OpenCV; raw: size-checked and turned
// into a cv::Mat) the way the data layers and compute_image_mean do. The
// Data layer's record format decodes them too, whole and deferred; a raw
// image it defers (read in place from the record) must be the one the whole
// decode gives, or the target aborts.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "caffe/data/record_format.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"
#include "fuzz_util.hpp"

namespace {

void DecodeImage(const caffe::Datum& datum) {
  if (datum.encoded()) {
    caffe::DecodeDatumToCVMat(datum, true);
    caffe::DecodeDatumToCVMatNative(datum);
  } else {
    caffe::CheckRawDatumSize(datum);
    if (!datum.data().empty()) caffe::DatumToCVMat(datum);
  }
}

void DecodeAsTheDataLayer(const std::string& bytes) {
  using namespace caffe;
  static const std::unique_ptr<RecordFormat> format = [] {
    LayerParameter layer;
    layer.set_name("fuzz");
    layer.set_type("Data");
    return MakeDatumFormat(layer);
  }();
  RawRecord record;
  record.key = "key";
  record.value = bytes;
  DecodedRecord whole, deferred;
  format->Decode(record, &whole);
  format->DecodeDeferred(&record, &deferred);
  if (deferred.deferred.empty() || deferred.deferred[0].encoded) return;
  const DeferredImage& image = deferred.deferred[0];
  if (!whole.problem.empty() || whole.images.size() != 1) std::abort();
  const cv::Mat& mat = whole.images[0];
  if (mat.rows != image.height || mat.cols != image.width || mat.channels() != image.channels) {
    std::abort();
  }
  const uint8_t* planes = reinterpret_cast<const uint8_t*>(image.bytes.data()) + image.offset;
  for (int c = 0; c < image.channels; ++c) {
    for (int h = 0; h < image.height; ++h) {
      for (int w = 0; w < image.width; ++w) {
        if (planes[(static_cast<size_t>(c) * image.height + h) * image.width + w] !=
            mat.ptr<uint8_t>(h)[w * image.channels + c]) {
          std::abort();
        }
      }
    }
  }
  if (deferred.labels != whole.labels) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace caffe;
  fuzz::QuietLogging();
  fuzz::LimitMemory(size_t(3) << 30);
  SetMaxImagePixels(int64_t(1) << 22);
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Datum datum;
  if (datum.ParseFromString(bytes)) {
    try {
      DecodeImage(datum);
      Datum decoded = datum;
      DecodeDatumNative(&decoded);
    } catch (const Error&) {
    }
  }
  DecodeAsTheDataLayer(bytes);
  TripletDatum triplet;
  if (triplet.ParseFromString(bytes)) {
    for (const std::string* image :
         {&triplet.data_anchor(), &triplet.data_pos(), &triplet.data_neg()}) {
      Datum slot;
      slot.set_channels(triplet.channels());
      slot.set_height(triplet.height());
      slot.set_width(triplet.width());
      slot.set_encoded(triplet.encoded());
      slot.set_data(*image);
      try {
        DecodeImage(slot);
      } catch (const Error&) {
      }
    }
  }
  return 0;
}
