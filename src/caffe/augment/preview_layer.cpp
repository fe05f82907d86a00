// The preview of a data layer: reads the first records of its source (a
// Data or TripletData layer's database, an ImageData layer's list), decodes
// them with the layer's own record format (MakeRecordFormat), and lays them
// out one row per record and slot.
// See include/caffe/augment/preview.hpp.
#include <memory>

#include "caffe/augment/preview.hpp"
#include "caffe/data/augmentation_seed.hpp"
#include "caffe/data/image_list.hpp"
#include "caffe/data/record_format.hpp"
#include "caffe/util/db.hpp"

namespace caffe {
namespace augment {

namespace {

string Describe(const LayerParameter& layer) {
  return internal::Concat("layer '", layer.name(), "' (", layer.type(), ")");
}

// The layer's record source in the layer's own terms: where it is, for
// messages, and its first `count` records in stored order (a database's
// first keys, an image list's first lines, never shuffled).
std::vector<RawRecord> FirstRecords(const LayerParameter& layer, int count, string* where) {
  std::vector<RawRecord> records;
  if (layer.type() == "ImageData") {
    const string& list = layer.image_data_param().source();
    CAFFE_REQUIRE(!list.empty(), ConfigError, Describe(layer),
                  " has no image_data_param.source to read images from");
    *where = "list file " + list;
    const ImageList lines = ReadImageList(list);
    for (int i = 0; i < static_cast<int>(lines.size()) && i < count; ++i) {
      records.push_back({ImageListKey(i, lines[i].first), std::to_string(lines[i].second)});
    }
    return records;
  }
  const bool triplets = layer.type() == "TripletData";
  const char* field = triplets ? "triplet_data_param" : "data_param";
  const string& source =
      triplets ? layer.triplet_data_param().source() : layer.data_param().source();
  CAFFE_REQUIRE(!source.empty(), ConfigError, Describe(layer), " has no ", field,
                ".source to read records from");
  *where = "database " + source;
  std::unique_ptr<db::DB> database(db::GetDB(
      triplets ? layer.triplet_data_param().backend() : layer.data_param().backend()));
  database->Open(source, db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  for (; cursor->valid() && static_cast<int>(records.size()) < count; cursor->Next()) {
    records.push_back({cursor->key(), cursor->value()});
  }
  return records;
}

// The first `count` records of the layer's source, decoded as the layer
// decodes them (its RecordFormat), one row per record and slot.
std::vector<PreviewRow> LayerRows(const LayerParameter& layer, int count) {
  const std::unique_ptr<RecordFormat> format = MakeRecordFormat(layer);
  string where;
  const std::vector<RawRecord> records = FirstRecords(layer, count, &where);
  CAFFE_REQUIRE(!records.empty(), DataError, Describe(layer), ": ", where, " holds no records");
  std::vector<PreviewRow> rows;
  DecodedRecord decoded;
  for (const RawRecord& record : records) {
    format->Decode(record, &decoded);
    CAFFE_REQUIRE(decoded.problem.empty(), DataError, where, ", record '", record.key, "': ",
                  decoded.problem);
    for (int slot = 0; slot < format->slots(); ++slot) {
      PreviewRow row;
      row.image = decoded.images[slot];
      row.key = record.key;
      row.slot = slot;
      row.label = format->slots() > 1 ? record.key + " " + format->slot_name(slot) : record.key;
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
  CAFFE_REQUIRE(options.records > 0, ConfigError, "augment_preview: records = ",
                options.records, " must be > 0");
  const Augmenter augmenter(WithResolvedSeed(chosen->augmentation_param()), Describe(*chosen));
  if (chosen->augmentation_param().random_seed() < 0) {
    LOG(INFO) << Describe(*chosen) << ": augmentation_param sets no random_seed; this preview "
              << "drew " << augmenter.seed() << " (set random_seed to see it again)";
  }
  const std::vector<PreviewRow> rows = LayerRows(*chosen, options.records);
  WriteAugmentPreview(augmenter, rows, options, png_path);
}

}  // namespace augment
}  // namespace caffe
