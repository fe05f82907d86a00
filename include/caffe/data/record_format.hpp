// Record formats: what one record of a data layer's stream holds and how it
// becomes images and labels.
//   Datum (Data layer): one image (encoded, raw uint8 or raw float_data) and
//     its integer label;
//   TripletDatum (TripletData): an anchor, a positive and a negative image of
//     one shape, and any number of float labels;
//   image list line (ImageData): the image file the key names, read from
//     root_folder, and the label.
// Every image goes through DecodeImage (util/datum_io.hpp), the data path's
// one decoder, with the layer's options (force_color/force_gray, or
// ImageData's is_color and new_height/new_width). The data layers decode
// with these; so does `caffe augment_preview`, so a preview shows the very
// images the layer would augment.
//
// Thread-safety: a RecordFormat is immutable after construction; Decode may
// run on several threads at once.
#pragma once

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/data/data_reader.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/datum_io.hpp"

namespace caffe {

// An 8-bit image known by its header but not decoded yet (see
// RecordFormat::DecodeDeferred): the pixels are decoded from `bytes` with
// `options` when they are needed, and only the part that is. `bytes` is a
// JPEG file when `encoded`; else it holds raw planar pixels (channels x
// height x width, already checked against the shape) from `offset` on, read
// in place: `bytes` may be the whole record, so that they are never copied.
struct DeferredImage {
  string bytes;
  bool encoded = true;
  size_t offset = 0;
  ImageDecodeOptions options;
  int height = 0;
  int width = 0;
  int channels = 0;
};

// One record, decoded.
struct DecodedRecord {
  string key;
  uint64_t epoch = 0;
  // One per slot: H x W x C, 8-bit, or 32-bit float for a float_data Datum.
  // All slots of a usable record have the same shape.
  vector<cv::Mat> images;
  // Instead of `images`, after DecodeDeferred took the record: one per slot.
  vector<DeferredImage> deferred;
  vector<double> labels;
  // Empty when the record is usable; otherwise what is wrong with it (the
  // caller adds the layer and the key).
  string problem;
};

class RecordFormat {
 public:
  virtual ~RecordFormat() = default;
  // What the records are, for messages ("Datum").
  virtual const char* name() const = 0;
  // Images per record, and the name of each ("anchor").
  virtual int slots() const = 0;
  virtual const char* slot_name(int slot) const = 0;
  // Parses and decodes one record into *out. A record that cannot be used
  // sets out->problem instead of throwing.
  virtual void Decode(const RawRecord& record, DecodedRecord* out) const = 0;
  // Like Decode, but an image that the direct JPEG decoder takes (see
  // util/jpeg_decoder.hpp) is only checked by its header and left in
  // out->deferred, so that the caller decodes only the rows and columns it
  // needs. The pixels of a deferred image may still turn out undecodable:
  // only callers that stop at any bad record (on_bad_record: FAIL) use
  // this. Formats that cannot defer decode as Decode does.
  // It may take record->value instead of copying from it.
  virtual void DecodeDeferred(RawRecord* record, DecodedRecord* out) const { Decode(*record, out); }
};

// The formats, with a layer's decoding options. ConfigError for options that
// contradict each other (both force flags; only one of new_height and
// new_width).
std::unique_ptr<RecordFormat> MakeDatumFormat(const LayerParameter& layer);
std::unique_ptr<RecordFormat> MakeTripletDatumFormat(const LayerParameter& layer);
std::unique_ptr<RecordFormat> MakeImageFileFormat(const LayerParameter& layer);
// The one of a Data, TripletData or ImageData layer, by its type; ConfigError
// naming the layer for any other type.
std::unique_ptr<RecordFormat> MakeRecordFormat(const LayerParameter& layer);

}  // namespace caffe
