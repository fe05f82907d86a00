// Preview of an augmentation configuration as one PNG grid, for eyeballing
// parameters before training (the `caffe augment_preview` command).
//
// Row i shows image i: first the input as given, then `samples` augmented
// versions (TRAIN phase, epochs 0..samples-1, slot 0). With `keys` (one per
// image) the record is identified by its database key, as the data layers
// do, so the grid is exactly what training would see in its first epochs;
// without, image i is record i.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {

// images: 8-bit, 1 or 3 channels, in the augmenter's channel_order.
// Throws IOError when the PNG cannot be written, ShapeError for an image
// that is not 8-bit with 1 or 3 channels.
void WriteAugmentPreview(const Augmenter& augmenter,
                         const std::vector<cv::Mat>& images, int samples,
                         const string& png_path,
                         const std::vector<string>& keys = {});

// Same, reading the images from files (as OpenCV decodes them: BGR colour);
// IOError names a file that cannot be read.
void WriteAugmentPreviewFromFiles(const Augmenter& augmenter,
                                  const std::vector<string>& image_paths,
                                  int samples, const string& png_path);

}  // namespace augment
}  // namespace caffe
