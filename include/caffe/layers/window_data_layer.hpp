// WindowDataLayer ("WindowData"): upstream Caffe's R-CNN-style layer. It
// samples windows (boxes) of images listed in a window file, warps each to
// crop_size x crop_size, and emits them with their class labels: per batch,
// batch_size - int(batch_size * fg_fraction) background windows first, then
// the foreground ones.
//
// The window file (window_data_param.source) repeats, whitespace-separated:
//   # IMAGE_INDEX
//   PATH                      (read from root_folder + PATH)
//   CHANNELS HEIGHT WIDTH
//   NUM_WINDOWS
//   CLASS OVERLAP X1 Y1 X2 Y2 (NUM_WINDOWS times; inclusive pixel corners)
// A window with OVERLAP >= fg_threshold is foreground (its CLASS must be
// positive); one with OVERLAP < bg_threshold is background (label 0); others
// are not used.
//
// Per window, as upstream: one draw picks the window (draw % count), one
// more draws the mirror when transform_param.mirror is set; the window,
// widened by context_pad (and made square with crop_mode "square"), is
// clipped to the image, resized bilinearly and placed where the unclipped
// window would fall (the rest is 0); then (pixel - mean) * scale, with the
// mean from transform_param.mean_file (its centre crop_size window) or
// mean_value, and scale from window_data_param.scale. crop_size comes from
// transform_param and is required. Images are decoded as 3-channel BGR;
// cache_images keeps the files' bytes in memory. The draws come from one
// generator seeded at setup from the Caffe stream, which is used as
// upstream uses it, so seeded runs give upstream's batches; resuming
// (SkipForwardPasses) replays the draws exactly.
//
// Errors: a window file that cannot be read is an IOError; a malformed one
// a ParseError naming file and line; options that cannot work (no crop_size,
// no windows of a kind a batch needs, window_data_param's legacy transform
// fields) a ConfigError; an image that cannot be read or decoded, or a
// window outside its image, a DataError naming the file, from Forward.
//
// Thread-safety: as every layer, one thread drives it; load_batch runs on
// the prefetch thread and alone touches the generator and the image cache.
#pragma once

#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class WindowDataLayer : public BasePrefetchingDataLayer<Dtype> {
 public:
  explicit WindowDataLayer(const LayerParameter& param);
  ~WindowDataLayer() override;
  void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                      const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "WindowData"; }
  int ExactNumTopBlobs() const override { return 2; }

 protected:
  void load_batch(Batch<Dtype>* batch) override;
  void SkipBatches(int64_t batches) override;

 private:
  struct Image {
    string path;
    int height = 0;
    int width = 0;
    // The file's bytes with cache_images; else read for every window.
    string bytes;
  };
  struct Window {
    int image = 0;
    float label = 0;
    int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  };

  void ReadWindowFile(const string& source);
  void ReadMean();
  // Warps window `window` (mirrored or not) into item `item` of `data`.
  void WarpWindow(const Window& window, bool mirror, int item, Dtype* data) const;
  // Draws per window: the pick, and the mirror when mirror is on.
  int DrawsPerWindow() const;

  vector<Image> images_;
  vector<Window> foreground_;
  vector<Window> background_;
  int channels_ = 3;
  int crop_size_ = 0;
  int batch_size_ = 0;
  int foreground_per_batch_ = 0;
  // The mean to subtract: a blob (mean_file) or one value per channel.
  Blob<Dtype> mean_blob_;
  vector<Dtype> mean_values_;
  unsigned int draw_seed_ = 0;
  Caffe::rng_t draws_;
};

}  // namespace caffe
