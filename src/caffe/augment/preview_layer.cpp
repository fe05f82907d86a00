// The preview of a data layer: reads the first records of its database
// (Datum for Data, TripletDatum for TripletData), decodes them with the
// layer's own record format, and lays them out one row per record and slot.
// See include/caffe/augment/preview.hpp.
#include <memory>

#include "caffe/augment/preview.hpp"
#include "caffe/data/augmentation_seed.hpp"
#include "caffe/data/record_format.hpp"
#include "caffe/util/db.hpp"

namespace caffe {
namespace augment {

namespace {

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

// The first `count` records of the layer's database, decoded as the layer
// decodes them (its RecordFormat), one row per record and slot.
std::vector<PreviewRow> LayerRows(const LayerParameter& layer, bool triplets, int count) {
  const string& source = triplets ? layer.triplet_data_param().source()
                                  : layer.data_param().source();
  const DataParameter::DB backend = triplets ? layer.triplet_data_param().backend()
                                             : layer.data_param().backend();
  const std::unique_ptr<RecordFormat> format =
      triplets ? MakeTripletDatumFormat(layer) : MakeDatumFormat(layer);
  std::vector<PreviewRow> rows;
  DecodedRecord decoded;
  for (const auto& record : FirstRecords(source, backend, count)) {
    format->Decode({record.first, record.second}, &decoded);
    CAFFE_REQUIRE(decoded.problem.empty(), DataError, "database ", source, ", record '",
                  record.first, "': ", decoded.problem);
    for (int slot = 0; slot < format->slots(); ++slot) {
      PreviewRow row;
      row.image = decoded.images[slot];
      row.key = record.first;
      row.slot = slot;
      row.label = triplets ? record.first + " " + format->slot_name(slot) : record.first;
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
  const Augmenter augmenter(WithResolvedSeed(chosen->augmentation_param()), Describe(*chosen));
  if (chosen->augmentation_param().random_seed() < 0) {
    LOG(INFO) << Describe(*chosen) << ": augmentation_param sets no random_seed; this preview "
              << "drew " << augmenter.seed() << " (set random_seed to see it again)";
  }
  const bool triplets = chosen->has_triplet_data_param() && chosen->type() != "Data";
  const std::vector<PreviewRow> rows = LayerRows(*chosen, triplets, options.records);
  CAFFE_REQUIRE(!rows.empty(), DataError, Describe(*chosen), ": the database holds no records");
  WriteAugmentPreview(augmenter, rows, options, png_path);
}

}  // namespace augment
}  // namespace caffe
