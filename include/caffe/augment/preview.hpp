// Preview of an augmentation configuration as one PNG grid, for eyeballing
// parameters before training (`caffe augment_preview`,
// `caffe.augment.preview`).
//
// Row i shows one image of one record: first the input as given, then
// `samples` augmented versions (TRAIN phase, epochs 0..samples-1), exactly
// as the data threads draw them for that record and slot: the images of a
// triplet get one row per slot (anchor, positive, negative), and `share`
// couples them as it does in training. With captions, the input cell is
// labelled with the row's label and every sample with the policy ops that
// fired (name and signed magnitude) and the sampled values that differ from
// identity; zoom enlarges every cell (nearest neighbour) so 28-pixel images
// are visible.
//
// Thread-safety: the functions share no state; call them from any thread.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {

// One row of the grid.
struct PreviewRow {
  cv::Mat image;      // 8-bit, 1 or 3 channels, in the augmenter's channel_order
  string key;         // the record's database key; empty: the record is `record`
  uint64_t record = 0;
  int slot = 0;       // image index in a multi-image record (0, 1, 2 for a triplet)
  string label;       // caption of the input cell
};

struct PreviewOptions {
  int samples = 6;        // augmented columns, >= 0
  double zoom = 1;        // cell magnification in (0, 16]
  bool captions = false;  // op names and sampled values under the cells
};

// Throws IOError when the PNG cannot be written, ShapeError for an image that
// is not 8-bit with 1 or 3 channels, ConfigError for no rows or bad options.
void WriteAugmentPreview(const Augmenter& augmenter,
                         const std::vector<PreviewRow>& rows,
                         const PreviewOptions& options, const string& png_path);

// Same, reading the images from files (as OpenCV decodes them: BGR colour);
// row i is record i. IOError names a file that cannot be read.
void WriteAugmentPreviewFromFiles(const Augmenter& augmenter,
                                  const std::vector<string>& image_paths,
                                  const PreviewOptions& options,
                                  const string& png_path);

// The grid of a data layer of `net`: the first `records` records of its
// source (Data: Datum, one row each; TripletData: TripletDatum, one row per
// slot; ImageData: the list's first lines, one row each, unshuffled),
// decoded as the layer decodes them, under its augmentation_param (an unset
// random_seed is drawn as the layers draw it, data/augmentation_seed.hpp,
// and logged). `layer` names the layer; empty picks the first layer with an
// augmentation_param. ConfigError when there is no such layer or it is not a
// record layer with a source; DataError names the source and key of a
// record that cannot be decoded.
struct LayerPreviewOptions : PreviewOptions {
  string layer;
  int records = 4;
  string model;  // the file `net` was read from, named in errors
};
void WriteLayerPreview(const NetParameter& net,
                       const LayerPreviewOptions& options,
                       const string& png_path);

}  // namespace augment
}  // namespace caffe
