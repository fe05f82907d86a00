// Reference pipeline: one operation at a time, double precision, no
// shortcuts. See include/caffe/augment/reference.hpp.
#include "caffe/augment/reference.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/ops.hpp"
#include "caffe/augment/random.hpp"

namespace caffe {
namespace augment {
namespace reference {

using internal::Round8;
typedef AugmentationParameter AP;

namespace {

double Pixel(const uint8_t* src, int h, int w, int c, int k, int ix, int iy,
             AP::Padding padding, const std::vector<float>& fill) {
  const int x = internal::PaddedIndex(ix, w, padding);
  const int y = internal::PaddedIndex(iy, h, padding);
  if (x < 0 || y < 0) return fill[k];
  return src[(static_cast<size_t>(y) * w + x) * c + k];
}

double Luminance(const double* px, const int rgb[3]) {
  return 0.299 * px[rgb[0]] + 0.587 * px[rgb[1]] + 0.114 * px[rgb[2]];
}

double MeanLuminance(const std::vector<double>& img, int c, const int rgb[3]) {
  const size_t pixels = img.size() / c;
  double sum = 0;
  for (size_t i = 0; i < pixels; ++i) {
    if (c == 3) {
      sum += Luminance(&img[3 * i], rgb);
    } else {
      for (int k = 0; k < c; ++k) sum += img[i * c + k] / c;
    }
  }
  return pixels ? sum / pixels : 0;
}

}  // namespace

double SamplePoint(const uint8_t* src, int h, int w, int c, int k, double x,
                   double y, AP::Interpolation interpolation,
                   AP::Padding padding, const std::vector<float>& fill) {
  if (interpolation == AP::NEAREST) {
    return Pixel(src, h, w, c, k, static_cast<int>(std::floor(x + 0.5)),
                 static_cast<int>(std::floor(y + 0.5)), padding, fill);
  }
  const int ix = static_cast<int>(std::floor(x));
  const int iy = static_cast<int>(std::floor(y));
  const double fx = x - ix, fy = y - iy;
  if (interpolation == AP::BILINEAR) {
    return (1 - fy) * ((1 - fx) * Pixel(src, h, w, c, k, ix, iy, padding, fill) +
                       fx * Pixel(src, h, w, c, k, ix + 1, iy, padding, fill)) +
           fy * ((1 - fx) * Pixel(src, h, w, c, k, ix, iy + 1, padding, fill) +
                 fx * Pixel(src, h, w, c, k, ix + 1, iy + 1, padding, fill));
  }
  double sum = 0;
  for (int j = -1; j <= 2; ++j) {
    for (int i = -1; i <= 2; ++i) {
      sum += internal::CubicWeight(fx - i) * internal::CubicWeight(fy - j) *
             Pixel(src, h, w, c, k, ix + i, iy + j, padding, fill);
    }
  }
  return sum;
}

std::vector<double> Warp(const AP& param, const uint8_t* src,
                         const SampledParams& p) {
  const int c = p.channels;
  const std::vector<float> fill = internal::ExpandFill(param, c);
  const internal::CoordNoise noise(param, p);
  std::vector<double> out(static_cast<size_t>(p.out_height) * p.out_width * c);
  const double* m = p.matrix;
  for (int v = 0; v < p.out_height; ++v) {
    for (int u = 0; u < p.out_width; ++u) {
      double dx, dy;
      noise.At(u, v, &dx, &dy);
      const double x = m[0] * u + m[1] * v + m[2] + dx;
      const double y = m[3] * u + m[4] * v + m[5] + dy;
      for (int k = 0; k < c; ++k) {
        out[(static_cast<size_t>(v) * p.out_width + u) * c + k] =
            SamplePoint(src, p.src_height, p.src_width, c, k, x, y,
                        param.interpolation(), param.padding(), fill);
      }
    }
  }
  return out;
}

void Render(const AP& param, const uint8_t* src, const SampledParams& p,
            AugmentedImage* out) {
  const Augmenter augmenter(param);  // resolves defaults, validates
  int rgb[3];
  augmenter.RgbIndices(rgb);
  const int c = p.channels, h = p.out_height, w = p.out_width;
  const int pixels = h * w;
  const std::vector<double> warped = Warp(param, src, p);
  std::vector<uint8_t> stage(warped.size());
  for (size_t i = 0; i < warped.size(); ++i) stage[i] = Round8(warped[i]);
  for (const PolicyPixelOp& op : p.policy_ops) {
    const PixelOpArgs args = {op.value, op.seed, h, w, c, rgb};
    GetOp(op.type).reference(args, &stage);
  }

  std::vector<double> img(stage.begin(), stage.end());
  const bool pixel_work =
      p.augmented &&
      (p.brightness != 1 || p.contrast != 1 || p.saturation != 1 ||
       p.hue != 0 || p.gamma != 1 || p.pca_alpha[0] != 0 ||
       p.pca_alpha[1] != 0 || p.pca_alpha[2] != 0 || param.noise_std() > 0 ||
       param.salt_pepper_prob() > 0);
  if (pixel_work) {
    const bool colour = c == 3;
    for (double& v : img) v *= p.brightness;
    if (p.contrast != 1) {
      const double mean = MeanLuminance(img, c, rgb);
      for (double& v : img) v = mean + p.contrast * (v - mean);
    }
    if (colour && p.saturation != 1) {
      for (int i = 0; i < pixels; ++i) {
        double* px = &img[3 * i];
        const double g = Luminance(px, rgb);
        for (int k = 0; k < 3; ++k) px[k] = g + p.saturation * (px[k] - g);
      }
    }
    if (colour && p.hue != 0) {
      double hm[9];
      internal::HueMatrix(p.hue, rgb, hm);
      for (int i = 0; i < pixels; ++i) {
        const double px[3] = {img[3 * i], img[3 * i + 1], img[3 * i + 2]};
        for (int k = 0; k < 3; ++k) {
          img[3 * i + k] = hm[3 * k] * px[0] + hm[3 * k + 1] * px[1] +
                           hm[3 * k + 2] * px[2];
        }
      }
    }
    for (double& v : img) v = std::min(255.0, std::max(0.0, v));
    if (p.gamma != 1) {
      for (double& v : img) v = Round8(255 * std::pow(Round8(v) / 255.0, p.gamma));
    }
    if (colour) {
      const double* eigval = augmenter.pca_eigval();
      const double* eigvec = augmenter.pca_eigvec();
      for (int ch = 0; ch < 3; ++ch) {
        double offset = 0;
        for (int i = 0; i < 3; ++i) {
          offset += p.pca_alpha[i] * eigval[i] * eigvec[i * 3 + ch];
        }
        for (int i = 0; i < pixels; ++i) img[i * 3 + rgb[ch]] += offset;
      }
    }
    if (param.noise_std() > 0) {
      const float* table = internal::NormalQuantileTable();
      const uint64_t key =
          internal::HashCombine(p.pixel_seed, internal::kNoiseStream);
      for (size_t i = 0; i < img.size(); ++i) {
        img[i] += param.noise_std() * internal::NoiseAt(table, key, i);
      }
    }
    for (double& v : img) v = std::min(255.0, std::max(0.0, v));
    if (param.salt_pepper_prob() > 0) {
      const uint64_t key =
          internal::HashCombine(p.pixel_seed, internal::kSaltPepperStream);
      for (int i = 0; i < pixels; ++i) {
        const double r = internal::ToUnit(internal::CounterHash(key, i));
        if (r >= param.salt_pepper_prob()) continue;
        for (int k = 0; k < c; ++k) {
          img[i * c + k] = r < param.salt_pepper_prob() / 2 ? 0 : 255;
        }
      }
    }
  }
  const uint64_t fill_key =
      internal::HashCombine(p.pixel_seed, internal::kRandomFillStream);
  for (const Rect& r : p.cutouts) {
    for (int y = r.y; y < r.y + r.height; ++y) {
      for (int x = r.x; x < r.x + r.width; ++x) {
        for (int k = 0; k < c; ++k) {
          const size_t i = (static_cast<size_t>(y) * w + x) * c + k;
          img[i] = param.cutout_random_fill()
                       ? std::min(255.0, std::floor(256 * internal::ToUnit(
                                             internal::CounterHash(fill_key, i))))
                       : param.cutout_fill();
        }
      }
    }
  }
  out->height = h;
  out->width = w;
  out->channels = c;
  out->params = p;
  if (out->layout == AugmentedImage::FLOAT_CHW) {
    out->f32.resize(img.size());
    for (int i = 0; i < pixels; ++i) {
      for (int k = 0; k < c; ++k) out->f32[k * pixels + i] = img[i * c + k];
    }
  } else {
    out->u8.resize(img.size());
    for (size_t i = 0; i < img.size(); ++i) out->u8[i] = Round8(img[i]);
  }
}

}  // namespace reference
}  // namespace augment
}  // namespace caffe
