// Fast kernels of the random policy ops: dropout, salt & pepper (per pixel
// and per coarse cell), additive gaussian noise, fog and clouds. Every draw
// is a counter-based hash of (op seed, position), so the result does not
// depend on evaluation order and the reference recomputes it exactly.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

// Sets pixel (all channels) to `value`.
inline void SetPixel(uint8_t* px, int c, uint8_t value) {
  std::memset(px, value, c);
}

// Per pixel: draw < p / 2 -> low, draw < p -> high (dropout: both 0).
void PixelNoise(const PixelOpArgs& a, uint8_t* img, uint8_t low, uint8_t high) {
  const double p = a.value, half = a.value / 2;
  if (p <= 0) return;
  const int c = a.channels;
  for (int y = 0; y < a.height; ++y) {
    uint8_t* row = img + static_cast<size_t>(y) * a.width * c;
    for (int x = 0; x < a.width; ++x) {
      const double r = CellDraw(a.seed, x, y);
      if (r < p) SetPixel(row + static_cast<size_t>(x) * c, c, r < half ? low : high);
    }
  }
}

// The same per square cell of `cell` pixels.
void CellNoise(const PixelOpArgs& a, int cell, uint8_t* img, uint8_t low,
               uint8_t high, std::vector<uint8_t>* decisions) {
  const double p = a.value, half = a.value / 2;
  if (p <= 0) return;
  const int c = a.channels;
  const int cells_x = (a.width + cell - 1) / cell;
  decisions->resize(cells_x);
  // 0: keep, 1: low, 2: high
  for (int y = 0; y < a.height; ++y) {
    if (y % cell == 0) {
      for (int cx = 0; cx < cells_x; ++cx) {
        const double r = CellDraw(a.seed, cx, y / cell);
        (*decisions)[cx] = r >= p ? 0 : (r < half ? 1 : 2);
      }
    }
    uint8_t* row = img + static_cast<size_t>(y) * a.width * c;
    for (int cx = 0; cx < cells_x; ++cx) {
      const uint8_t d = (*decisions)[cx];
      if (d == 0) continue;
      const int x0 = cx * cell, x1 = std::min(a.width, x0 + cell);
      std::memset(row + static_cast<size_t>(x0) * c, d == 1 ? low : high,
                  static_cast<size_t>(x1 - x0) * c);
    }
  }
}

// Fog / clouds: the noise field n of one row, summed over the octaves.
class NoiseField {
 public:
  NoiseField(OpType type, const PixelOpArgs& a)
      : type_(type), width_(a.width),
        octaves_(type == AugmentationParameter::Op::FOG ? kFogOctaves
                                                        : kCloudOctaves) {
    for (int o = 0; o < octaves_; ++o) {
      Octave oct;
      oct.cell = OctaveCell(a, o);
      oct.weight = static_cast<float>(OctaveWeight(type, o));
      oct.nx = static_cast<int>(std::floor((a.width - 0.5) / oct.cell + 0.5)) + 2;
      const int ny = static_cast<int>(std::floor((a.height - 0.5) / oct.cell + 0.5)) + 2;
      oct.lattice.resize(static_cast<size_t>(oct.nx) * ny);
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < oct.nx; ++i) {
          oct.lattice[j * oct.nx + i] =
              static_cast<float>(LatticeValue(a.seed, o, i - 1, j - 1));
        }
      }
      // Column positions: the lattice cell and smoothstep weight of each x.
      oct.column.resize(a.width);
      oct.sx.resize(a.width);
      for (int x = 0; x < a.width; ++x) {
        const double g = (x + 0.5) / oct.cell - 0.5;
        const double g0 = std::floor(g);
        oct.column[x] = static_cast<int>(g0) + 1;
        oct.sx[x] = static_cast<float>(Smoothstep(g - g0));
      }
      octaves_data_.push_back(std::move(oct));
    }
  }

  // n for every x of row y.
  void Row(int y, float* n) const {
    std::fill(n, n + width_, 0.f);
    for (const Octave& oct : octaves_data_) {
      const double g = (y + 0.5) / oct.cell - 0.5;
      const double g0 = std::floor(g);
      const float sy = static_cast<float>(Smoothstep(g - g0));
      const float* top = oct.lattice.data() + (static_cast<int>(g0) + 1) * oct.nx;
      const float* bottom = top + oct.nx;
      for (int x = 0; x < width_; ++x) {
        const int i = oct.column[x];
        const float upper = top[i] + oct.sx[x] * (top[i + 1] - top[i]);
        const float lower = bottom[i] + oct.sx[x] * (bottom[i + 1] - bottom[i]);
        n[x] += oct.weight * (upper + sy * (lower - upper));
      }
    }
  }

 private:
  struct Octave {
    double cell;
    float weight;
    int nx;
    std::vector<float> lattice;  // (nx) x (ny), corner (i, j) at [j+1][i+1]
    std::vector<int> column;
    std::vector<float> sx;
  };
  OpType type_;
  int width_;
  int octaves_;
  std::vector<Octave> octaves_data_;
};

void Atmosphere(OpType type, double colour, const PixelOpArgs& a, uint8_t* img,
                OpScratch* scratch) {
  if (a.value <= 0) return;
  const NoiseField field(type, a);
  const int c = a.channels;
  scratch->floats.resize(a.width);
  float* n = scratch->floats.data();
  const float tint = static_cast<float>(colour);
  for (int y = 0; y < a.height; ++y) {
    field.Row(y, n);
    uint8_t* row = img + static_cast<size_t>(y) * a.width * c;
    for (int x = 0; x < a.width; ++x) {
      const float opacity = static_cast<float>(Opacity(type, a.value, n[x]));
      uint8_t* px = row + static_cast<size_t>(x) * c;
      for (int k = 0; k < c; ++k) {
        px[k] = static_cast<uint8_t>(px[k] + opacity * (tint - px[k]) + 0.5f);
      }
    }
  }
}

}  // namespace

void FastPixelDropout(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  PixelNoise(a, img, 0, 0);
}

void FastSaltPepper(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  PixelNoise(a, img, 0, 255);
}

void FastCoarseDropout(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  CellNoise(a, CoarseCell(a, kDropoutCellsPerSide), img, 0, 0, &scratch->bytes);
}

void FastCoarseSaltPepper(const PixelOpArgs& a, uint8_t* img,
                          OpScratch* scratch) {
  CellNoise(a, CoarseCell(a, kSaltPepperCellsPerSide), img, 0, 255,
            &scratch->bytes);
}

void FastGaussianNoise(const PixelOpArgs& a, uint8_t* img, OpScratch*) {
  if (a.value <= 0) return;
  // One hash feeds four values (NoiseAt's 16-bit lanes).
  const float* table = NormalQuantileTable();
  const float std_dev = static_cast<float>(a.value);
  const size_t count = static_cast<size_t>(a.height) * a.width * a.channels;
  const size_t quads = count / 4;
  for (size_t q = 0; q < quads; ++q) {
    const uint64_t bits = CounterHash(a.seed, q);
    uint8_t* d = img + 4 * q;
    for (int lane = 0; lane < 4; ++lane) {
      const float v = d[lane] + std_dev * table[(bits >> (16 * lane)) & 0xffff];
      d[lane] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, v)) + 0.5f);
    }
  }
  for (size_t i = 4 * quads; i < count; ++i) {
    img[i] = Round8(img[i] + std_dev * NoiseAt(table, a.seed, i));
  }
}

void FastFog(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Atmosphere(AugmentationParameter::Op::FOG, kFogColour, a, img, scratch);
}

void FastClouds(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Atmosphere(AugmentationParameter::Op::CLOUDS, kCloudColour, a, img, scratch);
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
