// TripletDataLayer ("TripletData"): streams TripletDatum records (anchor,
// positive and negative image plus any number of float labels) from an LMDB
// or LevelDB database, for training embeddings with TripletLoss. A
// RecordDataLayer: see record_data_layer.hpp for the pipeline (decode
// workers: triplet_data_param.num_threads), the determinism guarantees, bad
// records (on_bad_record) and the optional params top.
//
// Tops, by triplet_data_param.layout (N = batch_size, L = labels per record):
//   STACKED  (default): data 3N x C x H x W - the N anchors, then the N
//            positives, then the N negatives - so one shared tower embeds
//            all three and a Slice along axis 0 separates them;
//   CHANNELS: data N x 3C x H x W (anchor, positive, negative channels);
//   SEPARATE: anchor, positive, negative, each N x C x H x W;
// then an optional label top N x L, then with augmentation_param
// { emit_params: true } the sampled parameters N x 3 x 26. C x H x W is fixed
// at setup by the first record (after augmentation and transform_param's
// crop); every later record must match it, and carry the same number of
// labels.
//
// Images are raw planar uint8 (channels x height x width bytes each) or
// encoded (PNG, JPEG, ...; force_color/force_gray choose how they decode -
// from triplet_data_param or transform_param). augmentation_param applies to
// each image, keyed by its slot (0 anchor, 1 positive, 2 negative; `share`
// couples them); then transform_param (scale, mean_file/mean_value, crop:
// random in TRAIN and centred in TEST, mirror), each image with its own
// draws, taken record by record, anchor, positive, negative.
#pragma once

#include "caffe/layers/record_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class TripletDataLayer : public RecordDataLayer<Dtype> {
 public:
  explicit TripletDataLayer(const LayerParameter& param);
  const char* type() const override { return "TripletData"; }
};

}  // namespace caffe
