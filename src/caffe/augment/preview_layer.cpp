// The preview of a data layer: reads the first records of its database
// (Datum for Data, TripletDatum for TripletData) and lays them out one row
// per record and slot. See include/caffe/augment/preview.hpp.
#include <memory>
#include <opencv2/imgcodecs.hpp>

#include "caffe/augment/preview.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"

namespace caffe {
namespace augment {

namespace {

const char* const kSlotNames[3] = {"anchor", "positive", "negative"};

string Describe(const LayerParameter& layer) {
  return internal::Concat("layer '", layer.name(), "' (", layer.type(), ")");
}

// The first `count` (key, value) pairs of a database.
std::vector<std::pair<string, string>> FirstRecords(const string& source,
                                                    DataParameter::DB backend,
                                                    int count) {
  std::unique_ptr<db::DB> database(db::GetDB(backend));
  database->Open(source, db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  std::vector<std::pair<string, string>> records;
  for (; cursor->valid() && static_cast<int>(records.size()) < count; cursor->Next()) {
    records.emplace_back(cursor->key(), cursor->value());
  }
  return records;
}

// One image of a TripletDatum: encoded bytes, or planar C x H x W bytes.
cv::Mat TripletImage(const TripletDatum& datum, const string& bytes, int flags,
                     const string& where, const char* slot) {
  if (datum.encoded()) {
    cv::Mat image;
    CheckImagePixels(bytes, where + "the " + slot + " image");  // decompression bombs
    if (!bytes.empty()) {
      image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1,
                                   const_cast<char*>(bytes.data())),
                           flags);
    }
    CAFFE_REQUIRE(!image.empty() && image.depth() == CV_8U, DataError, where, "the ",
                  slot, " image (", bytes.size(), " bytes) is not a decodable 8-bit image");
    return image;
  }
  const int c = datum.channels(), h = datum.height(), w = datum.width();
  CAFFE_REQUIRE(c > 0 && h > 0 && w > 0 &&
                    static_cast<int64_t>(bytes.size()) == int64_t{c} * h * w,
                DataError, where, "the ", slot, " image holds ", bytes.size(),
                " bytes but channels x height x width = ", c, "x", h, "x", w);
  cv::Mat image(h, w, CV_8UC(c));
  const uint8_t* src = reinterpret_cast<const uint8_t*>(bytes.data());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        image.ptr<uint8_t>(y)[x * c + k] = src[(static_cast<size_t>(k) * h + y) * w + x];
      }
    }
  }
  return image;
}

std::vector<PreviewRow> DataRows(const LayerParameter& layer, int count) {
  const DataParameter& param = layer.data_param();
  std::vector<PreviewRow> rows;
  for (const auto& record : FirstRecords(param.source(), param.backend(), count)) {
    Datum datum;
    CAFFE_REQUIRE(datum.ParseFromString(record.second), DataError, "database ",
                  param.source(), ", record '", record.first,
                  "': not a serialized Datum");
    PreviewRow row;
    row.image = datum.encoded() ? DecodeDatumToCVMatNative(datum) : DatumToCVMat(datum);
    row.key = record.first;
    row.label = record.first;
    rows.push_back(row);
  }
  return rows;
}

std::vector<PreviewRow> TripletRows(const LayerParameter& layer, int count) {
  const TripletDataParameter& param = layer.triplet_data_param();
  const bool force_color = param.force_color() || layer.transform_param().force_color();
  const bool force_gray = param.force_gray() || layer.transform_param().force_gray();
  const int flags = force_color ? cv::IMREAD_COLOR
                    : force_gray ? cv::IMREAD_GRAYSCALE
                                 : cv::IMREAD_UNCHANGED;
  std::vector<PreviewRow> rows;
  for (const auto& record : FirstRecords(param.source(), param.backend(), count)) {
    const string where = internal::Concat("database ", param.source(), ", record '",
                                          record.first, "': ");
    TripletDatum datum;
    CAFFE_REQUIRE(datum.ParseFromString(record.second), DataError, where,
                  "not a serialized TripletDatum");
    const string* bytes[3] = {&datum.data_anchor(), &datum.data_pos(), &datum.data_neg()};
    for (int slot = 0; slot < 3; ++slot) {
      PreviewRow row;
      row.image = TripletImage(datum, *bytes[slot], flags, where, kSlotNames[slot]);
      row.key = record.first;
      row.slot = slot;
      row.label = record.first + " " + kSlotNames[slot];
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace

void WriteLayerPreview(const NetParameter& net, const LayerPreviewOptions& options,
                       const string& png_path) {
  const LayerParameter* chosen = nullptr;
  for (const LayerParameter& layer : net.layer()) {
    const bool wanted = options.layer.empty() ? layer.has_augmentation_param()
                                              : layer.name() == options.layer;
    if (wanted && !chosen) chosen = &layer;
  }
  CAFFE_REQUIRE(chosen, ConfigError,
                options.model.empty() ? "net '" + net.name() + "'" : options.model, ": no layer ",
                options.layer.empty() ? string("has an augmentation_param")
                                      : "is named '" + options.layer + "'");
  CAFFE_REQUIRE(chosen->has_data_param() || chosen->has_triplet_data_param(),
                ConfigError, Describe(*chosen),
                " has neither data_param nor triplet_data_param to read records from");
  CAFFE_REQUIRE(options.records > 0, ConfigError, "augment_preview: records = ",
                options.records, " must be > 0");
  AugmentationParameter augmentation = chosen->augmentation_param();
  if (augmentation.random_seed() < 0) augmentation.set_random_seed(1);
  const Augmenter augmenter(augmentation, Describe(*chosen));
  const bool triplets = chosen->has_triplet_data_param() && chosen->type() != "Data";
  const std::vector<PreviewRow> rows = triplets ? TripletRows(*chosen, options.records)
                                                : DataRows(*chosen, options.records);
  CAFFE_REQUIRE(!rows.empty(), DataError, Describe(*chosen), ": the database holds no records");
  WriteAugmentPreview(augmenter, rows, options, png_path);
}

}  // namespace augment
}  // namespace caffe
