#include "caffe/data/record_format.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "caffe/data/image_list.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/jpeg_decoder.hpp"

namespace caffe {

namespace {

string ShapeText(const cv::Mat& image) {
  return internal::Concat(image.channels(), "x", image.rows, "x", image.cols);
}

// Decodes into out->images through `decode`, turning a DataError into the
// record's problem.
template <typename Decode>
bool DecodeImages(DecodedRecord* out, Decode decode) {
  try {
    decode();
  } catch (const DataError& e) {
    out->problem = e.what();
    return false;
  }
  return true;
}

// Parses a serialized Datum except its `data` bytes, which it only locates:
// [*data_offset, *data_offset + *data_size) of `value`, so that raw pixels
// are not copied out of the record. False when that does not apply (not a
// Datum, no or several `data` fields): the caller then parses it whole.
bool ParseAllButData(const string& value, Datum* datum, size_t* data_offset,
                     size_t* data_size) {
  using google::protobuf::internal::WireFormatLite;
  const uint32_t data_tag =
      WireFormatLite::MakeTag(Datum::kDataFieldNumber, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(value.data());
  const int size = static_cast<int>(std::min<size_t>(value.size(), INT_MAX));
  google::protobuf::io::CodedInputStream in(bytes, size);
  int data_fields = 0;
  int field_start = 0, field_end = 0;
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    if (tag != data_tag) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length;
    if (!in.ReadVarint32(&length)) return false;
    *data_offset = static_cast<size_t>(in.CurrentPosition());
    *data_size = length;
    if (!in.Skip(static_cast<int>(length))) return false;
    field_start = start;
    field_end = in.CurrentPosition();
    ++data_fields;
  }
  if (data_fields != 1 || in.CurrentPosition() != size ||
      static_cast<size_t>(size) != value.size()) {
    return false;
  }
  // The fields before and after `data`, merged as one message.
  google::protobuf::io::CodedInputStream before(bytes, field_start);
  google::protobuf::io::CodedInputStream after(bytes + field_end, size - field_end);
  datum->Clear();
  return datum->MergeFromCodedStream(&before) && before.ConsumedEntireMessage() &&
         datum->MergeFromCodedStream(&after) && after.ConsumedEntireMessage();
}

void StartRecord(const RawRecord& record, DecodedRecord* out) {
  out->key = record.key;
  out->epoch = record.epoch;
  out->images.clear();
  out->deferred.clear();
  out->labels.clear();
  out->problem.clear();
}

// StartRecord, then parses the value as a `Message`; false (with the problem
// set) when it is not one.
template <typename Message>
bool StartRecord(const RawRecord& record, const char* message_name, Message* message,
                 DecodedRecord* out) {
  StartRecord(record, out);
  if (message->ParseFromString(record.value)) return true;
  out->problem = internal::Concat("the value (", record.value.size(),
                                  " bytes) is not a serialized ", message_name);
  return false;
}

class DatumFormat : public RecordFormat {
 public:
  explicit DatumFormat(const ImageDecodeOptions& options) : options_(options) {}
  const char* name() const override { return "Datum"; }
  int slots() const override { return 1; }
  const char* slot_name(int) const override { return "image"; }

  void Decode(const RawRecord& record, DecodedRecord* out) const override {
    Datum datum;
    if (!StartRecord(record, name(), &datum, out)) return;
    if (!DecodeImages(out, [&] { out->images.push_back(DecodeDatumImage(datum, options_)); })) {
      return;
    }
    out->labels.push_back(datum.label());
  }

  void DecodeDeferred(RawRecord* record, DecodedRecord* out) const override {
    Datum datum;
    DeferredImage image;
    const bool resized = options_.resize_height > 0 && options_.resize_width > 0;
    size_t data_offset = 0, data_size = 0;
    if (!resized && ParseAllButData(record->value, &datum, &data_offset, &data_size) &&
        !datum.encoded() && data_size > 0) {
      StartRecord(*record, out);
      if (!DecodeImages(out, [&] {
            CheckRawImage(data_size, datum.channels(), datum.height(), datum.width(),
                          options_);
          })) {
        return;
      }
      image.encoded = false;
      image.height = datum.height();
      image.width = datum.width();
      image.channels = datum.channels();
      image.bytes.swap(record->value);
      image.offset = data_offset;
      image.options = options_;
      out->deferred.push_back(std::move(image));
      out->labels.push_back(datum.label());
      return;
    }
    if (!StartRecord(*record, name(), &datum, out)) return;
    if (datum.encoded() && !resized && JpegDecoder::LooksLikeJpeg(datum.data())) {
      thread_local JpegDecoder decoder;
      if (decoder.Header(datum.data(), options_.color, &image.height, &image.width,
                         &image.channels)) {
        if (!DecodeImages(out, [&] { CheckImagePixels(datum.data(), "the image"); })) return;
        image.bytes.swap(*datum.mutable_data());
        image.options = options_;
        out->deferred.push_back(std::move(image));
        out->labels.push_back(datum.label());
        return;
      }
    }
    if (!DecodeImages(out, [&] { out->images.push_back(DecodeDatumImage(datum, options_)); })) {
      return;
    }
    out->labels.push_back(datum.label());
  }

 private:
  const ImageDecodeOptions options_;
};

class TripletDatumFormat : public RecordFormat {
 public:
  explicit TripletDatumFormat(const ImageDecodeOptions& options) : options_(options) {}
  const char* name() const override { return "TripletDatum"; }
  int slots() const override { return 3; }
  const char* slot_name(int slot) const override {
    static const char* const kNames[3] = {"anchor", "positive", "negative"};
    return kNames[slot];
  }

  void Decode(const RawRecord& record, DecodedRecord* out) const override {
    TripletDatum datum;
    if (!StartRecord(record, name(), &datum, out)) return;
    const string* bytes[3] = {&datum.data_anchor(), &datum.data_pos(), &datum.data_neg()};
    const bool decoded = DecodeImages(out, [&] {
      for (int slot = 0; slot < 3; ++slot) {
        out->images.push_back(DecodeImage(*bytes[slot], datum.encoded(), datum.channels(),
                                          datum.height(), datum.width(), options_,
                                          internal::Concat("the ", slot_name(slot), " image")));
      }
    });
    if (!decoded) return;
    for (int slot = 1; slot < 3; ++slot) {
      if (out->images[slot].size() != out->images[0].size() ||
          out->images[slot].channels() != out->images[0].channels()) {
        out->problem = internal::Concat("its anchor image is ", ShapeText(out->images[0]),
                                        " but its ", slot_name(slot), " image is ",
                                        ShapeText(out->images[slot]),
                                        " (channels x height x width)");
        return;
      }
    }
    out->labels.assign(datum.label().begin(), datum.label().end());
  }

 private:
  const ImageDecodeOptions options_;
};

class ImageFileFormat : public RecordFormat {
 public:
  ImageFileFormat(const string& root_folder, const ImageDecodeOptions& options)
      : root_folder_(root_folder), options_(options) {}
  const char* name() const override { return "image list line"; }
  int slots() const override { return 1; }
  const char* slot_name(int) const override { return "image"; }

  void Decode(const RawRecord& record, DecodedRecord* out) const override {
    StartRecord(record, out);
    const string path = root_folder_ + ImageListPath(record.key);
    string bytes;
    try {
      bytes = ReadFileToString(path);
    } catch (const IOError& e) {
      out->problem = e.what();
      return;
    }
    if (!DecodeImages(out, [&] {
          out->images.push_back(
              DecodeImage(bytes, true, 0, 0, 0, options_, "image file " + path));
        })) {
      return;
    }
    out->labels.push_back(std::atoi(record.value.c_str()));
  }

 private:
  const string root_folder_;
  const ImageDecodeOptions options_;
};

}  // namespace

std::unique_ptr<RecordFormat> MakeDatumFormat(const LayerParameter& layer) {
  const TransformationParameter& transform = layer.transform_param();
  return std::make_unique<DatumFormat>(ImageDecodeOptions::FromForceFlags(
      transform.force_color(), transform.force_gray(), "layer '" + layer.name() + "': transform_param"));
}

std::unique_ptr<RecordFormat> MakeTripletDatumFormat(const LayerParameter& layer) {
  const TripletDataParameter& triplet = layer.triplet_data_param();
  const TransformationParameter& transform = layer.transform_param();
  return std::make_unique<TripletDatumFormat>(ImageDecodeOptions::FromForceFlags(
      triplet.force_color() || transform.force_color(),
      triplet.force_gray() || transform.force_gray(),
      "layer '" + layer.name() + "': triplet_data_param and transform_param together"));
}

std::unique_ptr<RecordFormat> MakeImageFileFormat(const LayerParameter& layer) {
  const ImageDataParameter& image_data = layer.image_data_param();
  CAFFE_REQUIRE((image_data.new_height() == 0) == (image_data.new_width() == 0), ConfigError,
                "layer '", layer.name(), "': image_data_param sets new_height ",
                image_data.new_height(), " and new_width ", image_data.new_width(),
                "; set both or neither");
  ImageDecodeOptions options;
  options.color = image_data.is_color() ? ImageDecodeOptions::COLOR : ImageDecodeOptions::GRAY;
  options.resize_height = static_cast<int>(image_data.new_height());
  options.resize_width = static_cast<int>(image_data.new_width());
  return std::make_unique<ImageFileFormat>(image_data.root_folder(), options);
}

std::unique_ptr<RecordFormat> MakeRecordFormat(const LayerParameter& layer) {
  if (layer.type() == "Data") return MakeDatumFormat(layer);
  if (layer.type() == "TripletData") return MakeTripletDatumFormat(layer);
  if (layer.type() == "ImageData") return MakeImageFileFormat(layer);
  throw ConfigError(internal::Concat("layer '", layer.name(), "' of type ", layer.type(),
                                     " does not read records (Data, TripletData or ImageData)"));
}

}  // namespace caffe
