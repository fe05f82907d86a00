// Throughput of the augmentation engine against OpenCV applied one op at a
// time, per thread, on 256x256 RGB inputs cropped to 227x227; and of every
// DeepAugment policy op alone (one-op policy, prob 1, magnitude 0.5, on
// 256x256 RGB).
//
//   augment_bench [--seconds S] [--threads T] [--ops-only | --full-only | --pixel-isas]
//
// --full-only runs only the two full-pipeline cases (for profiling);
// --pixel-isas runs them with the pixel chain forced to each ISA the CPU has.
// Prints one line per case: "<case> <images per CPU-second of one thread>". The Python
// companion (augment_bench_py.py) runs the albumentations and scipy
// baselines and the ratio tables (docs/benchmarks.md).
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>


#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench_common.hpp"
#include "caffe/augment/augmenter.hpp"
#include "caffe/augment/kernels.hpp"
#include "caffe/augment/ops.hpp"

using caffe::AugmentationParameter;
using caffe::augment::AugmentedImage;
using caffe::augment::Augmenter;
using caffe::augment::RecordContext;

namespace {

using bench::Measure;

constexpr int kSize = 256, kCrop = 227, kImages = 32;

AugmentationParameter FullPipeline() {
  AugmentationParameter p;
  p.set_random_seed(1);
  p.set_rotation(15);
  p.set_scale_min(0.9);
  p.set_scale_max(1.1);
  p.set_shear_x(10);
  p.set_hflip_prob(0.5);
  p.set_crop_size(kCrop);
  p.set_brightness(0.2);
  p.set_contrast(0.2);
  p.set_noise_std(8);
  return p;
}

// The ops compared one by one with their albumentations equivalents.
const char* const kBenchedOps[] = {
    "IDENTITY", "GAUSSIAN_BLUR", "EMBOSS", "SHARPEN", "PIXEL_DROPOUT",
    "COARSE_DROPOUT", "SALT_PEPPER", "COARSE_SALT_PEPPER", "GAUSSIAN_NOISE",
    "GAMMA", "HUE_SATURATION", "BRIGHTEN", "INVERT", "FOG", "CLOUDS", "CROP",
    "HFLIP", "VFLIP", "SCALE", "EQUALIZE"};

// One op, always applied, at magnitude 0.5, no other augmentation.
AugmentationParameter OneOpPolicy(caffe::augment::OpType type) {
  AugmentationParameter p;
  p.set_random_seed(1);
  AugmentationParameter::Op* op = p.mutable_policy()->add_sub_policy()->add_op();
  op->set_type(type);
  op->set_prob(1);
  op->set_magnitude(0.5);
  return p;
}

// The same pipeline the classic way: one warpAffine per geometric op, then a
// flip, a crop and the pixel ops as separate passes.
void OpenCvOneByOne(const cv::Mat& img, std::mt19937* rng, cv::Mat* out) {
  std::uniform_real_distribution<double> unit(0, 1);
  const cv::Point2f centre(kSize / 2.0f - 0.5f, kSize / 2.0f - 0.5f);
  const cv::Size size(kSize, kSize);
  cv::Mat rotated, scaled, sheared, flipped;
  const double angle = -15 + 30 * unit(*rng);
  cv::warpAffine(img, rotated, cv::getRotationMatrix2D(centre, angle, 1.0),
                 size, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  const double scale = 0.9 + 0.2 * unit(*rng);
  cv::warpAffine(rotated, scaled, cv::getRotationMatrix2D(centre, 0, scale),
                 size, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  const double shear = std::tan((-10 + 20 * unit(*rng)) * CV_PI / 180);
  const cv::Matx23d shear_m(1, shear, -shear * centre.y, 0, 1, 0);
  cv::warpAffine(scaled, sheared, shear_m, size, cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT);
  if (unit(*rng) < 0.5) {
    cv::flip(sheared, flipped, 1);
  } else {
    flipped = sheared;
  }
  const int x = static_cast<int>(unit(*rng) * (kSize - kCrop + 1));
  const int y = static_cast<int>(unit(*rng) * (kSize - kCrop + 1));
  const cv::Mat crop = flipped(cv::Rect(x, y, kCrop, kCrop));
  const double brightness = 0.8 + 0.4 * unit(*rng);
  const double contrast = 0.8 + 0.4 * unit(*rng);
  cv::Mat bright;
  crop.convertTo(bright, CV_16SC3, brightness);
  const cv::Scalar mean = cv::mean(bright);
  const double grey = 0.114 * mean[0] + 0.587 * mean[1] + 0.299 * mean[2];
  cv::Mat contrasted;
  bright.convertTo(contrasted, CV_16SC3, contrast, (1 - contrast) * grey);
  cv::Mat noise(kCrop, kCrop, CV_16SC3);
  cv::randn(noise, 0, 8);
  contrasted += noise;
  contrasted.convertTo(*out, CV_8UC3);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  int threads = 2;
  bool ops_only = false, full_only = false, pixel_isas = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ops-only")) ops_only = true;
    if (!std::strcmp(argv[i], "--full-only")) full_only = true;
    if (!std::strcmp(argv[i], "--pixel-isas")) pixel_isas = true;
    if (i + 1 < argc && !std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (i + 1 < argc && !std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  cv::setNumThreads(1);
  const std::vector<cv::Mat> images = bench::MakeImages(kImages, kSize);

  auto run_augmenter = [&](const AugmentationParameter& param,
                           AugmentedImage::Layout layout, int nthreads) {
    const Augmenter aug(param);
    std::vector<AugmentedImage> outs(nthreads);
    for (AugmentedImage& o : outs) o.layout = layout;
    return Measure(seconds, nthreads, [&](int t, int i) {
      RecordContext ctx;
      ctx.record = static_cast<uint64_t>(i) * 64 + t;
      const cv::Mat& img = images[i % kImages];
      aug.Apply(img.data, kSize, kSize, 3, ctx, caffe::TRAIN, &outs[t]);
    });
  };

  // Each policy op alone; IDENTITY is the fixed cost (sampling, the copy).
  std::vector<const char*> benched_ops(std::begin(kBenchedOps), std::end(kBenchedOps));
  if (full_only || pixel_isas) benched_ops.clear();
  for (const char* name : benched_ops) {
    caffe::augment::OpType type;
    if (!caffe::augment::OpTypeFromName(name, &type)) {
      std::fprintf(stderr, "augment_bench: unknown op %s\n", name);
      return 1;
    }
    std::printf("ours_op_%s %.1f\n", name,
                run_augmenter(OneOpPolicy(type), AugmentedImage::UINT8_HWC, 1));
    std::fflush(stdout);
  }
  if (ops_only) return 0;

  const AugmentationParameter full = FullPipeline();
  if (pixel_isas) {
    // The full pipeline with the pixel chain forced to each ISA this CPU
    // runs (the warp keeps its best).
    using caffe::augment::internal::PixelIsa;
    const std::pair<PixelIsa, const char*> isas[] = {
        {PixelIsa::kSse2, "sse2"}, {PixelIsa::kAvx2, "avx2"}, {PixelIsa::kAvx512, "avx512"}};
    for (const auto& [isa, name] : isas) {
      if (!caffe::augment::internal::SetPixelIsa(isa)) continue;
      std::printf("ours_full_pixel_%s %.1f\n", name,
                  run_augmenter(full, AugmentedImage::UINT8_HWC, 1));
      std::printf("ours_full_float_chw_pixel_%s %.1f\n", name,
                  run_augmenter(full, AugmentedImage::FLOAT_CHW, 1));
      std::fflush(stdout);
    }
    caffe::augment::internal::SetPixelIsa(caffe::augment::internal::BestPixelIsa());
    return 0;
  }
  std::printf("ours_full %.1f\n",
              run_augmenter(full, AugmentedImage::UINT8_HWC, 1));
  std::printf("ours_full_float_chw %.1f\n",
              run_augmenter(full, AugmentedImage::FLOAT_CHW, 1));
  if (full_only) return 0;
  std::printf("ours_full_%dthreads_per_thread %.1f\n", threads,
              run_augmenter(full, AugmentedImage::UINT8_HWC, threads));

  std::vector<std::mt19937> rngs;
  for (int t = 0; t < threads; ++t) rngs.emplace_back(t + 1);
  std::vector<cv::Mat> cv_out(threads);
  std::printf("opencv_one_by_one %.1f\n", Measure(seconds, 1, [&](int t, int i) {
                OpenCvOneByOne(images[i % kImages], &rngs[t], &cv_out[t]);
              }));

  AugmentationParameter rotate;
  rotate.set_random_seed(1);
  rotate.set_rotation(180);
  std::printf("ours_rotate_any_256 %.1f\n",
              run_augmenter(rotate, AugmentedImage::UINT8_HWC, 1));
  std::printf("opencv_warpaffine_rotate_256 %.1f\n",
              Measure(seconds, 1, [&](int t, int i) {
                const double angle = (i * 37) % 360;
                cv::warpAffine(images[i % kImages], cv_out[t],
                               cv::getRotationMatrix2D(
                                   cv::Point2f(127.5f, 127.5f), angle, 1.0),
                               cv::Size(kSize, kSize));
              }));
  AugmentationParameter rot90;
  rot90.set_random_seed(1);
  rot90.set_rotate90(true);
  std::printf("ours_rot90_256 %.1f\n",
              run_augmenter(rot90, AugmentedImage::UINT8_HWC, 1));
  return 0;
}
