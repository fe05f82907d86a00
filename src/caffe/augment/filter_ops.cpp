// Fast kernels of the filtering policy ops: gaussian blur (separable, the
// symmetric taps folded so each pair costs one multiply) and the 3x3 emboss
// / sharpen blends. Borders are mirrored (REFLECTION padding).
//
// Speed: every source row is converted to float once; the inner loops run
// along contiguous float rows, which the compiler vectorises, and are built
// twice (baseline SSE2 and AVX2, chosen at run time). Both builds do the
// same IEEE operations in the same order per value (no FMA contraction, no
// reassociation), so the result does not depend on the CPU.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/policy_ops.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CAFFE_ROW_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define CAFFE_ROW_KERNEL
#endif

namespace caffe {
namespace augment {
namespace internal {

namespace {

inline int Mirror(int i, int n) {
  return PaddedIndex(i, n, AugmentationParameter::REFLECTION);
}

// Row `y` of an 8-bit image as floats with `pad` mirrored pixels each side:
// line[(x + pad) * c + k] = image(Mirror(x), y, k).
CAFFE_ROW_KERNEL
void PaddedRow(const uint8_t* img, int y, int w, int c, int pad, float* line) {
  const uint8_t* src = img + static_cast<size_t>(y) * w * c;
  const size_t row = static_cast<size_t>(w) * c;
  float* interior = line + static_cast<size_t>(pad) * c;
  for (size_t i = 0; i < row; ++i) interior[i] = src[i];
  for (int x = -pad; x < 0; ++x) {
    std::copy_n(interior + static_cast<size_t>(Mirror(x, w)) * c, c, line + (x + pad) * c);
  }
  for (int x = w; x < w + pad; ++x) {
    std::copy_n(interior + static_cast<size_t>(Mirror(x, w)) * c, c,
                line + static_cast<size_t>(x + pad) * c);
  }
}

// Eight floats as one value: GCC maps it to one AVX register or two SSE
// registers, so the accumulators stay in registers across all taps.
// The helpers below are always inlined, so the vector ABI warning about
// passing 32-byte vectors without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));
typedef uint8_t B8 __attribute__((vector_size(8)));
constexpr int kLanes = 8;

__attribute__((always_inline)) inline V8 Load(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((always_inline)) inline void Store(float* p, V8 v) { std::memcpy(p, &v, sizeof v); }

// Rounds values already in [0, 255] (half up) into 8 bytes.
__attribute__((always_inline)) inline void StoreBytes(uint8_t* p, V8 v) {
  const B8 bytes = __builtin_convertvector(__builtin_convertvector(v + 0.5f, I8), B8);
  std::memcpy(p, &bytes, sizeof bytes);
}

// Four independent accumulators (32 values) hide the add latency; each
// value still sums its taps in the same order.
constexpr int kWide = 4 * kLanes;

// acc[i] = w[0] centre[i] + sum_j w[j] (centre[i - j stride] + centre[i + j stride]).
CAFFE_ROW_KERNEL
void SymmetricTaps(const float* centre, size_t n, const float* w, int r, int stride,
                   float* acc) {
  size_t i = 0;
  for (; i + kWide <= n; i += kWide) {
    const float* p = centre + i;
    V8 s0 = w[0] * Load(p), s1 = w[0] * Load(p + 8), s2 = w[0] * Load(p + 16),
       s3 = w[0] * Load(p + 24);
    for (int j = 1; j <= r; ++j) {
      const float* left = p - static_cast<ptrdiff_t>(j) * stride;
      const float* right = p + static_cast<ptrdiff_t>(j) * stride;
      const float wj = w[j];
      s0 += wj * (Load(left) + Load(right));
      s1 += wj * (Load(left + 8) + Load(right + 8));
      s2 += wj * (Load(left + 16) + Load(right + 16));
      s3 += wj * (Load(left + 24) + Load(right + 24));
    }
    Store(acc + i, s0);
    Store(acc + i + 8, s1);
    Store(acc + i + 16, s2);
    Store(acc + i + 24, s3);
  }
  for (; i < n; ++i) {
    float sum = w[0] * centre[i];
    for (int j = 1; j <= r; ++j) {
      const ptrdiff_t offset = static_cast<ptrdiff_t>(j) * stride;
      sum += w[j] * (centre[i - offset] + centre[i + offset]);
    }
    acc[i] = sum;
  }
}

// The vertical pass over rows that are each already blurred horizontally
// (rows[r + j] is the row at offset j), rounded into dst. A convex
// combination of values in [0, 255] needs no clamp.
CAFFE_ROW_KERNEL
void SymmetricRows(const float* const* rows, size_t n, const float* w, int r,
                   uint8_t* dst) {
  size_t i = 0;
  for (; i + kWide <= n; i += kWide) {
    const float* c = rows[r] + i;
    V8 s0 = w[0] * Load(c), s1 = w[0] * Load(c + 8), s2 = w[0] * Load(c + 16),
       s3 = w[0] * Load(c + 24);
    for (int j = 1; j <= r; ++j) {
      const float* up = rows[r - j] + i;
      const float* down = rows[r + j] + i;
      const float wj = w[j];
      s0 += wj * (Load(up) + Load(down));
      s1 += wj * (Load(up + 8) + Load(down + 8));
      s2 += wj * (Load(up + 16) + Load(down + 16));
      s3 += wj * (Load(up + 24) + Load(down + 24));
    }
    StoreBytes(dst + i, s0);
    StoreBytes(dst + i + 8, s1);
    StoreBytes(dst + i + 16, s2);
    StoreBytes(dst + i + 24, s3);
  }
  for (; i < n; ++i) {
    float sum = w[0] * rows[r][i];
    for (int j = 1; j <= r; ++j) sum += w[j] * (rows[r - j][i] + rows[r + j][i]);
    dst[i] = static_cast<uint8_t>(sum + 0.5f);
  }
}

CAFFE_ROW_KERNEL
void Kernel3x3Row(const float* const lines[3], size_t n, int c, const float k[9],
                  uint8_t* dst) {
  const float* a = lines[0];
  const float* b = lines[1];
  const float* d = lines[2];
  auto at = [&](size_t i) {
    return k[0] * Load(a + i) + k[1] * Load(a + i + c) + k[2] * Load(a + i + 2 * c) +
           k[3] * Load(b + i) + k[4] * Load(b + i + c) + k[5] * Load(b + i + 2 * c) +
           k[6] * Load(d + i) + k[7] * Load(d + i + c) + k[8] * Load(d + i + 2 * c);
  };
  const V8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
  const V8 top = zero + 255.f;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    V8 v = at(i);
    v = v < zero ? zero : v;
    v = v > top ? top : v;
    StoreBytes(dst + i, v);
  }
  for (; i < n; ++i) {
    const float v = k[0] * a[i] + k[1] * a[i + c] + k[2] * a[i + 2 * c] +
                    k[3] * b[i] + k[4] * b[i + c] + k[5] * b[i + 2 * c] +
                    k[6] * d[i] + k[7] * d[i + c] + k[8] * d[i + 2 * c];
    dst[i] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, v)) + 0.5f);
  }
}

void Convolve3x3(OpType type, const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  if (a.value == 0) return;
  double kd[9];
  BlendedKernel3x3(type, a.value, kd);
  float k[9];
  for (int i = 0; i < 9; ++i) k[i] = static_cast<float>(kd[i]);
  const int h = a.height, w = a.width, c = a.channels;
  const size_t row = static_cast<size_t>(w) * c, padded = row + 2 * static_cast<size_t>(c);
  // A ring of the three source rows around the output row. Output row y is
  // written only after source row y + 1 is in the ring, so the filter can
  // run in place.
  scratch->floats.resize(3 * padded);
  float* ring[3] = {scratch->floats.data(), scratch->floats.data() + padded,
                    scratch->floats.data() + 2 * padded};
  int ring_row[3] = {-1, -1, -1};
  auto line_of = [&](int source_row) -> const float* {
    float* slot = ring[source_row % 3];
    if (ring_row[source_row % 3] != source_row) {
      PaddedRow(img, source_row, w, c, 1, slot);
      ring_row[source_row % 3] = source_row;
    }
    return slot;
  };
  const float* previous = line_of(0);  // row -1 mirrors to row 0
  for (int y = 0; y < h; ++y) {
    const float* current = line_of(y);
    const float* next = line_of(Mirror(y + 1, h));
    const float* lines[3] = {y == 0 ? current : previous, current, next};
    Kernel3x3Row(lines, row, c, k, img + y * row);
    previous = current;
  }
}

}  // namespace

void FastGaussianBlur(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  const std::vector<double> taps = GaussianTaps(BlurSigma(a));
  const int r = static_cast<int>(taps.size() / 2);
  if (r == 0) return;
  float weight[64 + 1];
  std::vector<float> many;
  float* wt = weight;
  if (r > 64) {
    many.resize(r + 1);
    wt = many.data();
  }
  for (int j = 0; j <= r; ++j) wt[j] = static_cast<float>(taps[r + j]);
  const int h = a.height, w = a.width, c = a.channels;
  const size_t row = static_cast<size_t>(w) * c;
  const size_t padded = row + 2 * static_cast<size_t>(r) * c;
  const int slots = 2 * r + 1;
  // A ring of horizontally blurred source rows (slot = row mod 2r + 1; the
  // rows one output row needs are at most 2r + 1 consecutive or mirrored
  // source rows, so they never share a slot), plus one padded line.
  scratch->floats.resize(slots * row + padded);
  float* line = scratch->floats.data() + slots * row;
  std::vector<int> slot_row(slots, -1);
  std::vector<const float*> rows(slots);
  // Output row y overwrites source row y; every source row enters the ring
  // (is read) before its output row is written, and stays while needed.
  auto blurred_row = [&](int source_row) -> const float* {
    const int slot = source_row % slots;
    float* dst = scratch->floats.data() + static_cast<size_t>(slot) * row;
    if (slot_row[slot] != source_row) {
      PaddedRow(img, source_row, w, c, r, line);
      SymmetricTaps(line + static_cast<size_t>(r) * c, row, wt, r, c, dst);
      slot_row[slot] = source_row;
    }
    return dst;
  };
  for (int y = 0; y < h; ++y) {
    for (int j = -r; j <= r; ++j) rows[r + j] = blurred_row(Mirror(y + j, h));
    SymmetricRows(rows.data(), row, wt, r, img + y * row);
  }
}

void FastEmboss(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Convolve3x3(AugmentationParameter::Op::EMBOSS, a, img, scratch);
}

void FastSharpen(const PixelOpArgs& a, uint8_t* img, OpScratch* scratch) {
  Convolve3x3(AugmentationParameter::Op::SHARPEN, a, img, scratch);
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
