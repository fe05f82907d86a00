// Reference kernels of the policy pixel ops: each op written straight from
// its definition (docs/augmentation.md), one value at a time, in double
// precision, rounded to 8 bits once. Slow on purpose; tests compare the fast
// kernels with these.
#include <algorithm>
#include <cmath>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

typedef std::vector<uint8_t> Image;
typedef AugmentationParameter::Op Op;

double Luminance(const double* px, const int rgb[3]) {
  return 0.299 * px[rgb[0]] + 0.587 * px[rgb[1]] + 0.114 * px[rgb[2]];
}

// Value of channel k at (x, y) with mirrored borders.
double At(const Image& img, const PixelOpArgs& a, int x, int y, int k) {
  const int px = PaddedIndex(x, a.width, AugmentationParameter::REFLECTION);
  const int py = PaddedIndex(y, a.height, AugmentationParameter::REFLECTION);
  return img[(static_cast<size_t>(py) * a.width + px) * a.channels + k];
}

template <typename F>
void PerValue(Image* img, F f) {
  for (uint8_t& v : *img) v = Round8(f(static_cast<double>(v)));
}

void Kernel3x3(OpType type, const PixelOpArgs& a, Image* image) {
  double k[9];
  BlendedKernel3x3(type, a.value, k);
  const Image before = *image;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      for (int c = 0; c < a.channels; ++c) {
        double sum = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            sum += k[(dy + 1) * 3 + dx + 1] * At(before, a, x + dx, y + dy, c);
          }
        }
        (*image)[(static_cast<size_t>(y) * a.width + x) * a.channels + c] = Round8(sum);
      }
    }
  }
}

// Per pixel (cell = 1) or per cell: draw < p/2 -> low, draw < p -> high.
void Speckle(const PixelOpArgs& a, int cell, uint8_t low, uint8_t high, Image* img) {
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const double r = CellDraw(a.seed, x / cell, y / cell);
      if (r >= a.value) continue;
      for (int k = 0; k < a.channels; ++k) {
        (*img)[(static_cast<size_t>(y) * a.width + x) * a.channels + k] =
            r < a.value / 2 ? low : high;
      }
    }
  }
}

double NoiseAtPixel(OpType type, const PixelOpArgs& a, int x, int y) {
  const int octaves = type == Op::FOG ? kFogOctaves : kCloudOctaves;
  double n = 0;
  for (int o = 0; o < octaves; ++o) {
    const double cell = OctaveCell(a, o);
    const double gx = (x + 0.5) / cell - 0.5, gy = (y + 0.5) / cell - 0.5;
    const int i = static_cast<int>(std::floor(gx));
    const int j = static_cast<int>(std::floor(gy));
    const double sx = Smoothstep(gx - i), sy = Smoothstep(gy - j);
    const double top = (1 - sx) * LatticeValue(a.seed, o, i, j) +
                       sx * LatticeValue(a.seed, o, i + 1, j);
    const double bottom = (1 - sx) * LatticeValue(a.seed, o, i, j + 1) +
                          sx * LatticeValue(a.seed, o, i + 1, j + 1);
    n += OctaveWeight(type, o) * ((1 - sy) * top + sy * bottom);
  }
  return n;
}

void Atmosphere(OpType type, double colour, const PixelOpArgs& a, Image* img) {
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const double opacity = Opacity(type, a.value, NoiseAtPixel(type, a, x, y));
      for (int k = 0; k < a.channels; ++k) {
        uint8_t& v = (*img)[(static_cast<size_t>(y) * a.width + x) * a.channels + k];
        v = Round8((1 - opacity) * v + opacity * colour);
      }
    }
  }
}

}  // namespace

void RefInvert(const PixelOpArgs&, Image* img) {
  PerValue(img, [](double v) { return 255 - v; });
}

void RefSolarize(const PixelOpArgs& a, Image* img) {
  PerValue(img, [&](double v) { return v >= a.value ? 255 - v : v; });
}

void RefPosterize(const PixelOpArgs& a, Image* img) {
  // Keep the top `bits` bits: round down to a multiple of 2^(8 - bits).
  const double quantum = std::pow(2.0, 8 - a.value);
  PerValue(img, [&](double v) { return std::floor(v / quantum) * quantum; });
}

void RefBrightness(const PixelOpArgs& a, Image* img) {
  PerValue(img, [&](double v) { return v * a.value; });
}

void RefBrighten(const PixelOpArgs& a, Image* img) {
  PerValue(img, [&](double v) { return v + a.value; });
}

void RefGamma(const PixelOpArgs& a, Image* img) {
  PerValue(img, [&](double v) { return 255 * std::pow(v / 255, a.value); });
}

void RefContrast(const PixelOpArgs& a, Image* img) {
  const size_t pixels = static_cast<size_t>(a.height) * a.width;
  double sum = 0;
  for (size_t i = 0; i < pixels; ++i) {
    if (a.channels == 3) {
      const double px[3] = {double((*img)[3 * i]), double((*img)[3 * i + 1]),
                            double((*img)[3 * i + 2])};
      sum += Luminance(px, a.rgb);
    } else {
      for (int k = 0; k < a.channels; ++k) sum += (*img)[i * a.channels + k] / double(a.channels);
    }
  }
  const double mean = pixels ? sum / pixels : 0;
  PerValue(img, [&](double v) { return mean + a.value * (v - mean); });
}

void RefColor(const PixelOpArgs& a, Image* img) {
  if (a.channels != 3) return;
  for (size_t i = 0; i < img->size(); i += 3) {
    const double px[3] = {double((*img)[i]), double((*img)[i + 1]), double((*img)[i + 2])};
    const double g = Luminance(px, a.rgb);
    for (int k = 0; k < 3; ++k) (*img)[i + k] = Round8(g + a.value * (px[k] - g));
  }
}

void RefHueSaturation(const PixelOpArgs& a, Image* img) {
  if (a.channels != 3) return;
  // Saturation first (blend with the luminance), then the chroma rotation.
  const double f = 1 + 0.5 * a.value;
  double hue[9];
  HueMatrix(0.2 * a.value, a.rgb, hue);
  for (size_t i = 0; i < img->size(); i += 3) {
    double px[3] = {double((*img)[i]), double((*img)[i + 1]), double((*img)[i + 2])};
    const double g = Luminance(px, a.rgb);
    for (double& v : px) v = g + f * (v - g);
    for (int k = 0; k < 3; ++k) {
      (*img)[i + k] = Round8(hue[3 * k] * px[0] + hue[3 * k + 1] * px[1] +
                             hue[3 * k + 2] * px[2]);
    }
  }
}

void RefSharpness(const PixelOpArgs& a, Image* image) {
  Image& img = *image;
  const Image before = img;
  const int h = a.height, w = a.width, c = a.channels;
  for (int y = 1; y + 1 < h; ++y) {
    for (int x = 1; x + 1 < w; ++x) {
      for (int k = 0; k < c; ++k) {
        double sum = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const double weight = (dx == 0 && dy == 0) ? 5 : 1;
            sum += weight * before[((y + dy) * w + x + dx) * c + k];
          }
        }
        const double smooth = sum / 13;
        const size_t i = (static_cast<size_t>(y) * w + x) * c + k;
        img[i] = Round8(smooth + a.value * (before[i] - smooth));
      }
    }
  }
}

void RefAutoContrast(const PixelOpArgs& a, Image* image) {
  Image& img = *image;
  const Image before = img;
  const int pixels = a.height * a.width, c = a.channels;
  for (int k = 0; k < c; ++k) {
    int lo = 255, hi = 0;
    for (int i = 0; i < pixels; ++i) {
      lo = std::min<int>(lo, before[i * c + k]);
      hi = std::max<int>(hi, before[i * c + k]);
    }
    if (hi <= lo) continue;
    for (int i = 0; i < pixels; ++i) {
      img[i * c + k] = Round8((before[i * c + k] - lo) * 255.0 / (hi - lo));
    }
  }
}

void RefEqualize(const PixelOpArgs& a, Image* image) {
  Image& img = *image;
  const Image before = img;
  const int pixels = a.height * a.width, c = a.channels;
  for (int k = 0; k < c; ++k) {
    // Classic equalisation: v -> 255 (cdf(v) - cdf_min) / (N - cdf_min)
    // with cdf_min the count of the darkest value present.
    int darkest = 255;
    for (int i = 0; i < pixels; ++i) darkest = std::min<int>(darkest, before[i * c + k]);
    double cdf_min = 0;
    for (int i = 0; i < pixels; ++i) cdf_min += before[i * c + k] == darkest;
    if (cdf_min >= pixels) continue;
    for (int i = 0; i < pixels; ++i) {
      double cdf = 0;
      for (int j = 0; j < pixels; ++j) cdf += before[j * c + k] <= before[i * c + k];
      img[i * c + k] = Round8(255 * (cdf - cdf_min) / (pixels - cdf_min));
    }
  }
}

void RefGaussianBlur(const PixelOpArgs& a, Image* image) {
  const std::vector<double> taps = GaussianTaps(BlurSigma(a));
  const int r = static_cast<int>(taps.size() / 2);
  const Image before = *image;
  const int h = a.height, w = a.width, c = a.channels;
  std::vector<double> vertical(before.size());
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        double sum = 0;
        for (int j = -r; j <= r; ++j) sum += taps[j + r] * At(before, a, x, y + j, k);
        vertical[(static_cast<size_t>(y) * w + x) * c + k] = sum;
      }
    }
  }
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        double sum = 0;
        for (int j = -r; j <= r; ++j) {
          const int px = PaddedIndex(x + j, w, AugmentationParameter::REFLECTION);
          sum += taps[j + r] * vertical[(static_cast<size_t>(y) * w + px) * c + k];
        }
        (*image)[(static_cast<size_t>(y) * w + x) * c + k] = Round8(sum);
      }
    }
  }
}

void RefEmboss(const PixelOpArgs& a, Image* img) { Kernel3x3(Op::EMBOSS, a, img); }

void RefSharpen(const PixelOpArgs& a, Image* img) { Kernel3x3(Op::SHARPEN, a, img); }

void RefPixelDropout(const PixelOpArgs& a, Image* img) { Speckle(a, 1, 0, 0, img); }

void RefSaltPepper(const PixelOpArgs& a, Image* img) { Speckle(a, 1, 0, 255, img); }

void RefCoarseDropout(const PixelOpArgs& a, Image* img) {
  Speckle(a, CoarseCell(a, kDropoutCellsPerSide), 0, 0, img);
}

void RefCoarseSaltPepper(const PixelOpArgs& a, Image* img) {
  Speckle(a, CoarseCell(a, kSaltPepperCellsPerSide), 0, 255, img);
}

void RefGaussianNoise(const PixelOpArgs& a, Image* img) {
  const float* table = NormalQuantileTable();
  for (size_t i = 0; i < img->size(); ++i) {
    (*img)[i] = Round8((*img)[i] + a.value * NoiseAt(table, a.seed, i));
  }
}

void RefFog(const PixelOpArgs& a, Image* img) {
  Atmosphere(Op::FOG, kFogColour, a, img);
}

void RefClouds(const PixelOpArgs& a, Image* img) {
  Atmosphere(Op::CLOUDS, kCloudColour, a, img);
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
