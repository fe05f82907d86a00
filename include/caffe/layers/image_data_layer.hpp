// ImageDataLayer ("ImageData"): streams images named by a list file of
// "path LABEL" lines (upstream Caffe's layer and image_data_param), with no
// database in between. A RecordDataLayer: the same pipeline as Data (decode
// workers, on_bad_record, augmentation_param with emit_params, views_param,
// the same determinism and exact resume; see record_data_layer.hpp).
//
// Each image is read from root_folder + path and decoded as 3-channel BGR
// (is_color, default) or grey, then resized (bilinear) to new_height x
// new_width when both are set. Tops: data N x C x H x W, an optional label N
// and the optional params top; each batch takes the shape of its first image
// (as upstream). Lines are read in list order, or with `shuffle` in upstream's
// order: shuffled at setup and again at the start of every later pass, from a
// generator seeded with one caffe_rng_rand(). rand_skip skips
// caffe_rng_rand() % rand_skip lines at the start, as upstream. The record key
// of line i (0-based) is "%08d_<path>", the key convert_imageset gives it, so
// augmentation of a list equals that of the database converted from it.
//
// Errors: a list file that cannot be read throws IOError from SetUp, a
// malformed line ParseError naming file and line; an image that cannot be
// read or decoded is a bad record (DataError naming the file, or skipped).
#pragma once

#include "caffe/layers/record_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class ImageDataLayer : public RecordDataLayer<Dtype> {
 public:
  explicit ImageDataLayer(const LayerParameter& param);
  const char* type() const override { return "ImageData"; }

 protected:
  RecordSource OpenSource() override;
};

}  // namespace caffe
