// DataLayer ("Data"): streams Datum records from an LMDB or LevelDB database
// (a RecordDataLayer; see record_data_layer.hpp for the pipeline, the
// determinism guarantees, bad records and the optional params top).
//
// Tops: data N x C x H x W (C x H x W after transform_param's crop), an
// optional label N, and with augmentation_param { emit_params: true } the
// sampled parameters N x 26. Records may hold raw pixels (uint8 or float) or
// an encoded image (PNG, JPEG, ...); the first record fixes the tops' shape
// at setup and the first record of each batch fixes that batch's shape.
// Records are read in key order from the first, starting again at the first
// after the last. As in Caffe 1.0, rand_skip is accepted but ignored (only
// the older Data layer and ImageData honour it), and the random draws are
// upstream's: transform_param's crop/mirror draws are exactly those of
// upstream Caffe's Data layer for the same seed, whatever data_param's
// num_threads (ours) says.
//
// Errors: a record that cannot be used throws DataError naming the layer,
// the database and the record's key, from the Forward that would have
// returned it (or is skipped with on_bad_record: SKIP). A missing database
// throws IOError from SetUp.
#pragma once

#include "caffe/layers/record_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class DataLayer : public RecordDataLayer<Dtype> {
 public:
  explicit DataLayer(const LayerParameter& param);
  const char* type() const override { return "Data"; }
};

}  // namespace caffe
