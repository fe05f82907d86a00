#include "caffe/augment/preview.hpp"

#include <algorithm>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"

namespace caffe {
namespace augment {

namespace {

constexpr int kGap = 4;  // pixels between cells
const cv::Scalar kBackground(64, 64, 64);

// A 3-channel BGR view of an HWC buffer for display.
cv::Mat ToDisplay(const cv::Mat& img, bool rgb) {
  cv::Mat bgr;
  if (img.channels() == 1) {
    cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
  } else if (rgb) {
    cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR);
  } else {
    bgr = img;
  }
  return bgr;
}

}  // namespace

void WriteAugmentPreview(const Augmenter& augmenter,
                         const std::vector<cv::Mat>& images, int samples,
                         const string& png_path,
                         const std::vector<string>& keys) {
  CAFFE_REQUIRE(keys.empty() || keys.size() == images.size(), ConfigError,
                "augment_preview: ", keys.size(), " keys for ", images.size(),
                " images");
  CAFFE_REQUIRE(samples >= 0, ConfigError, "augment_preview: samples = ",
                samples, " must be >= 0");
  CAFFE_REQUIRE(!images.empty(), ConfigError,
                "augment_preview: no images to preview");
  const bool rgb =
      augmenter.param().channel_order() == AugmentationParameter::RGB;
  int cell_h = 1, cell_w = 1;
  for (size_t i = 0; i < images.size(); ++i) {
    const cv::Mat& img = images[i];
    CAFFE_REQUIRE(img.depth() == CV_8U &&
                      (img.channels() == 1 || img.channels() == 3) &&
                      !img.empty(),
                  ShapeError, "augment_preview: image ", i,
                  " must be non-empty 8-bit with 1 or 3 channels");
    int oh, ow;
    augmenter.OutputSize(img.rows, img.cols, &oh, &ow);
    cell_h = std::max({cell_h, img.rows, oh});
    cell_w = std::max({cell_w, img.cols, ow});
  }
  const int rows = static_cast<int>(images.size()), cols = samples + 1;
  cv::Mat grid(rows * cell_h + (rows + 1) * kGap,
               cols * cell_w + (cols + 1) * kGap, CV_8UC3, kBackground);
  AugmentedImage out;
  for (int r = 0; r < rows; ++r) {
    const cv::Mat img = images[r].isContinuous() ? images[r]
                                                 : images[r].clone();
    const int y = kGap + r * (cell_h + kGap);
    ToDisplay(img, rgb).copyTo(
        grid(cv::Rect(kGap, y, img.cols, img.rows)));
    for (int s = 0; s < samples; ++s) {
      RecordContext ctx;
      if (keys.empty()) {
        ctx.epoch = static_cast<uint64_t>(s);
        ctx.record = static_cast<uint64_t>(r);
      } else {
        ctx = RecordContext::FromKey(static_cast<uint64_t>(s), keys[r], 0);
      }
      augmenter.Apply(img.data, img.rows, img.cols, img.channels(), ctx,
                      TRAIN, &out);
      const cv::Mat result(out.height, out.width,
                           CV_8UC(out.channels), out.u8.data());
      const int x = kGap + (s + 1) * (cell_w + kGap);
      ToDisplay(result, rgb).copyTo(
          grid(cv::Rect(x, y, out.width, out.height)));
    }
  }
  bool written = false;
  try {
    written = cv::imwrite(png_path, grid);
  } catch (const cv::Exception& e) {
    CAFFE_THROW(IOError, "augment_preview: cannot write ", png_path, ": ",
                e.what());
  }
  CAFFE_REQUIRE(written, IOError, "augment_preview: cannot write ", png_path);
}

void WriteAugmentPreviewFromFiles(const Augmenter& augmenter,
                                  const std::vector<string>& image_paths,
                                  int samples, const string& png_path) {
  std::vector<cv::Mat> images;
  for (const string& path : image_paths) {
    // Checked first so a missing file is our IOError, not an OpenCV warning.
    CAFFE_REQUIRE(std::ifstream(path).good(), IOError,
                  "augment_preview: cannot read image ", path);
    cv::Mat img = DecodeImage(ReadFileToString(path), true, 0, 0, 0,
                              ImageDecodeOptions(),
                              "augment_preview: image " + path);
    if (img.channels() == 4) cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
    images.push_back(img);
  }
  WriteAugmentPreview(augmenter, images, samples, png_path);
}

}  // namespace augment
}  // namespace caffe
