// Fuzz target: database record values as the data path decodes them. The
// bytes are parsed as a Datum and as a TripletDatum; every image is decoded
// (encoded: through the pixel limit and OpenCV; raw: size-checked and turned
// into a cv::Mat) the way the data layers and compute_image_mean do.
#include <cstdint>
#include <string>

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
