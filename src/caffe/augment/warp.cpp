// The single interpolation of the pipeline: output pixels are mapped to the
// source through the composed matrix and sampled once.
//
// Paths, cheapest first:
//   - index shuffle: the matrix moves whole pixels (identity, integer crop,
//     flips, rot90): rows are memcpy'd or gathered by index, no arithmetic;
//   - bilinear affine: source coordinates advance linearly along a row, so
//     each row starts from one matrix product and then adds a fixed-point
//     step; the 2x2 kernel runs in integer arithmetic (11-bit weights);
//   - nearest / bicubic affine: the same row stepping in double;
//   - coordinate noise (elastic, jitter): per-pixel coordinates, same
//     samplers.
// Only pixels whose taps touch the outside of the source go through the
// padding rule.
#include <algorithm>
#include <cmath>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/warp_wide.hpp"

namespace caffe {
namespace augment {
namespace internal {

namespace {

constexpr int kWeightBits = 11;  // bilinear weights
constexpr int kWeightOne = 1 << kWeightBits;

// std::floor without the libm call that baseline x86-64 (no SSE4.1 round)
// makes of it: exact for every finite double.
inline double Floor(double v) {
  if (!(std::fabs(v) < 1e15)) return std::floor(v);  // huge, inf or NaN
  const double truncated = static_cast<double>(static_cast<int64_t>(v));
  return truncated > v ? truncated - 1 : truncated;
}

// Value of padded source pixel (ix, iy), channel k.
inline float Fetch(const WarpJob& job, int ix, int iy, int k) {
  const int x = PaddedIndex(ix, job.w, job.padding);
  const int y = PaddedIndex(iy, job.h, job.padding);
  if (x < 0 || y < 0) return job.fill[k];
  return job.src[(static_cast<size_t>(y) * job.w + x) * job.c + k];
}

// One output pixel at source point (x, y), any position, any channel count.
inline void SampleNearest(const WarpJob& job, double x, double y,
                          uint8_t* dst) {
  const int ix = static_cast<int>(Floor(x + 0.5));
  const int iy = static_cast<int>(Floor(y + 0.5));
  if (ix >= 0 && ix < job.w && iy >= 0 && iy < job.h) {
    const uint8_t* s = job.src + (static_cast<size_t>(iy) * job.w + ix) * job.c;
    for (int k = 0; k < job.c; ++k) dst[k] = s[k];
    return;
  }
  for (int k = 0; k < job.c; ++k) dst[k] = Round8(Fetch(job, ix, iy, k));
}

inline void SampleBilinear(const WarpJob& job, double x, double y,
                           uint8_t* dst) {
  const double fx0 = Floor(x), fy0 = Floor(y);
  const int ix = static_cast<int>(fx0), iy = static_cast<int>(fy0);
  const float fx = static_cast<float>(x - fx0), fy = static_cast<float>(y - fy0);
  // Padded tap indices once per pixel, not per channel.
  const int x0 = PaddedIndex(ix, job.w, job.padding);
  const int x1 = PaddedIndex(ix + 1, job.w, job.padding);
  const int y0 = PaddedIndex(iy, job.h, job.padding);
  const int y1 = PaddedIndex(iy + 1, job.h, job.padding);
  const int c = job.c;
  auto tap = [&](int px, int py, int k) -> float {
    if (px < 0 || py < 0) return job.fill[k];
    return job.src[(static_cast<size_t>(py) * job.w + px) * c + k];
  };
  for (int k = 0; k < c; ++k) {
    const float top = tap(x0, y0, k) * (1 - fx) + tap(x1, y0, k) * fx;
    const float bottom = tap(x0, y1, k) * (1 - fx) + tap(x1, y1, k) * fx;
    dst[k] = Round8(top * (1 - fy) + bottom * fy);
  }
}

inline void SampleBicubic(const WarpJob& job, double x, double y,
                          uint8_t* dst) {
  const double fx0 = Floor(x), fy0 = Floor(y);
  const int ix = static_cast<int>(fx0), iy = static_cast<int>(fy0);
  const double tx = x - fx0, ty = y - fy0;
  float wx[4], wy[4];
  for (int i = 0; i < 4; ++i) {
    wx[i] = static_cast<float>(CubicWeight(tx - (i - 1)));
    wy[i] = static_cast<float>(CubicWeight(ty - (i - 1)));
  }
  const bool inside = ix >= 1 && ix + 2 < job.w && iy >= 1 && iy + 2 < job.h;
  const int c = job.c;
  for (int k = 0; k < c; ++k) {
    float acc = 0;
    for (int j = 0; j < 4; ++j) {
      float row = 0;
      if (inside) {
        const uint8_t* s =
            job.src + (static_cast<size_t>(iy + j - 1) * job.w + ix - 1) * c + k;
        row = s[0] * wx[0] + s[c] * wx[1] + s[2 * c] * wx[2] + s[3 * c] * wx[3];
      } else {
        for (int i = 0; i < 4; ++i) {
          row += Fetch(job, ix + i - 1, iy + j - 1, k) * wx[i];
        }
      }
      acc += row * wy[j];
    }
    dst[k] = Round8(acc);
  }
}

#ifdef __SSE2__
// Three interleaved channels, all four taps inside and two spare bytes after
// each tap pair: each source row is one 8-byte load, and both lerps run in
// 16-bit lanes on values scaled by 64 with 15-bit fractions (error well
// under a tenth of a grey level before the final rounding).
// fx16 / fy16 hold the 16-bit coordinate fractions in every lane.
inline void Bilinear3Sse(const uint8_t* s0, const uint8_t* s1, __m128i fx16,
                         __m128i fy16, bool spill, uint8_t* out) {
  const __m128i zero = _mm_setzero_si128();
  // [a0 a1 a2 b0 b1 b2 . .] * 64 for the top (s0) and bottom (s1) rows.
  const __m128i top = _mm_slli_epi16(
      _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0)),
                        zero), 6);
  const __m128i bottom = _mm_slli_epi16(
      _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s1)),
                        zero), 6);
  // mulhi(2 d, f15) = d * f15 / 32768.
  const __m128i dy = _mm_sub_epi16(bottom, top);
  const __m128i column = _mm_add_epi16(
      top, _mm_mulhi_epi16(_mm_add_epi16(dy, dy), _mm_srli_epi16(fy16, 1)));
  const __m128i right = _mm_srli_si128(column, 6);  // b lanes under a lanes
  const __m128i dx = _mm_sub_epi16(right, column);
  const __m128i value = _mm_add_epi16(
      column, _mm_mulhi_epi16(_mm_add_epi16(dx, dx), _mm_srli_epi16(fx16, 1)));
  const __m128i rounded =
      _mm_srai_epi16(_mm_add_epi16(value, _mm_set1_epi16(32)), 6);
  const int32_t word = _mm_cvtsi128_si32(_mm_packus_epi16(rounded, zero));
  if (spill) {
    std::memcpy(out, &word, 4);
  } else {
    std::memcpy(out, &word, 3);
  }
}
#endif


// Pixel at 16.16 source point (X, Y), exactly (x, y): the 11-bit integer
// kernel when its four taps are inside, the fill when all are outside under
// ZEROS padding, else the padding-aware sampler.
template <int C>
inline void EdgePixel(const FixedBilinear& f, int c, int32_t X, int32_t Y, double x, double y,
                      uint8_t* out) {
  if (C > 0) c = C;
  const int ix = X >> kFracBits, iy = Y >> kFracBits;
  if (static_cast<unsigned>(ix) < f.max_ix && static_cast<unsigned>(iy) < f.max_iy) {
    const int fx = (X >> (kFracBits - kWeightBits)) & (kWeightOne - 1);
    const int fy = (Y >> (kFracBits - kWeightBits)) & (kWeightOne - 1);
    const int w11 = fx * fy;
    const int w10 = (kWeightOne - fx) * fy;
    const int w01 = fx * (kWeightOne - fy);
    const int w00 = (kWeightOne - fx) * (kWeightOne - fy);
    const uint8_t* s0 = f.src + iy * f.stride + static_cast<size_t>(ix) * c;
    const uint8_t* s1 = s0 + f.stride;
    for (int k = 0; k < c; ++k) {
      const int sum = s0[k] * w00 + s0[k + c] * w01 + s1[k] * w10 + s1[k + c] * w11;
      out[k] = static_cast<uint8_t>((sum + (1 << (2 * kWeightBits - 1))) >> (2 * kWeightBits));
    }
  } else if (f.fill_outside && (ix < -1 || iy < -1 || ix >= f.w || iy >= f.h)) {
    for (int k = 0; k < c; ++k) out[k] = f.fill8[k];  // all taps are fill
  } else {
    SampleBilinear(*f.job, x, y, out);
  }
}


// Output tiles of kTileRows x kTileCols map to compact source regions
// whatever the rotation; row segments still step linearly. Narrower tiles
// (64 columns) ran slower on 256- to 2048-pixel images: each span costs a
// kernel call and its setup, and the prefetches already hide the walk.
constexpr int kTileRows = 16, kTileCols = 256;
constexpr int kTileSegments = kTileCols / kSegment;
static_assert(kTileCols % kSegment == 0, "spans start segments");

template <int C>
void BilinearRowsFixed(const WarpJob& job, uint8_t* dst) {
  const int c = C > 0 ? C : job.c;
  const double* m = job.m;
  std::vector<uint8_t> fill8(c);
  for (int k = 0; k < c; ++k) fill8[k] = Round8(job.fill[k]);
  FixedBilinear f;
  f.job = &job;
  f.src = job.src;
  f.stride = static_cast<size_t>(job.w) * c;
  f.w = job.w;
  f.h = job.h;
  f.max_ix = static_cast<unsigned>(job.w - 1);
  f.max_iy = static_cast<unsigned>(job.h - 1);
  // The SSE kernel reads one byte past the right tap: keep it inside.
  f.max_ix_sse = job.w >= 3 ? static_cast<unsigned>(job.w - 2) : 0;
  f.step_x = static_cast<int32_t>(std::lround(m[0] * (1 << kFracBits)));
  f.step_y = static_cast<int32_t>(std::lround(m[3] * (1 << kFracBits)));
  f.fill_outside = job.padding == AugmentationParameter::ZEROS;
  f.fill8 = fill8.data();
  // Locals, not fields: stores through uint8_t* may alias anything, so
  // fields would be reloaded on every pixel.
  const int32_t step_x = f.step_x, step_y = f.step_y;
  const unsigned max_ix_sse = f.max_ix_sse, max_iy = f.max_iy;
  const uint8_t* const src = job.src;
  const size_t stride = f.stride;
  const int out_w = job.out_w, out_h = job.out_h, w = job.w, h = job.h;
  constexpr int kLookahead = 32;
#ifdef CAFFE_WARP_WIDE_KERNELS
  const WideBilinear3 wide =
      C == 3 && max_ix_sse > 0 && max_iy > 0 ? ChosenWideKernel(f) : nullptr;
#endif
  // Output pixels [u0, u_end) of row v.
  auto span = [&](int v, int u0, int u_end) {
    const double row_x = m[1] * v + m[2], row_y = m[4] * v + m[5];
#ifdef CAFFE_WARP_WIDE_KERNELS
    if (wide != nullptr) {
      uint8_t* const out = dst + (static_cast<size_t>(v) * out_w + u0) * c;
      int32_t start[2 * kTileSegments];
      for (int s0 = u0, k = 0; s0 < u_end; s0 += kSegment, k += 2) {
        start[k] = FixedCoordinate(row_x, m[0], step_x, s0);
        start[k + 1] = FixedCoordinate(row_y, m[3], step_y, s0);
      }
      int edges[kTileCols];
      const int count = wide(f, RowSpan{start, u_end - u0, out}, edges);
      for (int e = 0; e < count; ++e) {
        const int i = edges[e], u = u0 + i;
        const int32_t* point = start + 2 * (i / kSegment);
        const int steps = i % kSegment;
        EdgePixel<C>(f, c, point[0] + steps * step_x, point[1] + steps * step_y,
                     m[0] * u + row_x, m[3] * u + row_y, out + 3 * i);
      }
      return;
    }
#endif
    for (int s0 = u0; s0 < u_end; s0 += kSegment) {
      const int s_end = std::min(u_end, s0 + kSegment);
      int32_t X = FixedCoordinate(row_x, m[0], step_x, s0);
      int32_t Y = FixedCoordinate(row_y, m[3], step_y, s0);
      uint8_t* out = dst + (static_cast<size_t>(v) * out_w + s0) * c;
#ifdef __SSE2__
      // The fractions as 16-bit lanes: adding the step's low 16 bits wraps
      // exactly like the low bits of X and Y, so no per-pixel broadcast.
      __m128i fx16 = _mm_set1_epi16(static_cast<int16_t>(X & 0xffff));
      __m128i fy16 = _mm_set1_epi16(static_cast<int16_t>(Y & 0xffff));
      const __m128i step_fx = _mm_set1_epi16(static_cast<int16_t>(step_x & 0xffff));
      const __m128i step_fy = _mm_set1_epi16(static_cast<int16_t>(step_y & 0xffff));
#endif
      for (int u = s0; u < s_end; ++u, X += step_x, Y += step_y, out += c) {
#ifdef __SSE2__
        const int ix = X >> kFracBits, iy = Y >> kFracBits;
        if (C == 3 && ((u - s0) & 7) == 0) {
          // Rotated rows walk across source cache lines the hardware cannot
          // predict: fetch the taps of the pixel kLookahead steps ahead.
          const int ax = std::min(std::max((X + kLookahead * step_x) >> kFracBits, 0),
                                  w - 1);
          const int ay = std::min(std::max((Y + kLookahead * step_y) >> kFracBits, 0),
                                  std::max(h - 2, 0));
          const uint8_t* p = src + ay * stride + static_cast<size_t>(ax) * 3;
          _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
          _mm_prefetch(reinterpret_cast<const char*>(p + stride), _MM_HINT_T0);
        }
        const __m128i pixel_fx = fx16, pixel_fy = fy16;
        fx16 = _mm_add_epi16(fx16, step_fx);
        fy16 = _mm_add_epi16(fy16, step_fy);
        if (C == 3 && static_cast<unsigned>(ix) < max_ix_sse &&
            static_cast<unsigned>(iy) < max_iy) {
          const uint8_t* s0_tap = src + iy * stride + static_cast<size_t>(ix) * 3;
          // Inside the span a 4-byte store spills into the next pixel's first
          // channel, which is written right after: faster than 3 bytes.
          Bilinear3Sse(s0_tap, s0_tap + stride, pixel_fx, pixel_fy, u + 1 < u_end, out);
          continue;
        }
#endif
        EdgePixel<C>(f, c, X, Y, m[0] * u + row_x, m[3] * u + row_y, out);
      }
    }
  };
#ifdef __SSE2__
  if (C == 3) {
    // Stream the source rows the output reads (bounding box of the mapped
    // corners) towards the cache first: a linear sweep runs at memory
    // bandwidth, the rotated walk below would wait on each line.
    double y_lo = 1e30, y_hi = -1e30;
    for (int corner = 0; corner < 4; ++corner) {
      const double u = (corner & 1) ? out_w - 1 : 0, v = (corner & 2) ? out_h - 1 : 0;
      const double y = m[3] * u + m[4] * v + m[5];
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
    }
    const int row_lo = std::max(0, static_cast<int>(std::floor(y_lo)));
    const int row_hi = std::min(h - 1, static_cast<int>(std::ceil(y_hi)) + 1);
    for (int row = row_lo; row <= row_hi; ++row) {
      const char* line = reinterpret_cast<const char*>(src + row * stride);
      for (size_t off = 0; off < stride; off += 64) {
        _mm_prefetch(line + off, _MM_HINT_T1);
      }
    }
  }
#endif
  for (int v0 = 0; v0 < out_h; v0 += kTileRows) {
    for (int u0 = 0; u0 < out_w; u0 += kTileCols) {
      for (int v = v0; v < std::min(out_h, v0 + kTileRows); ++v) {
        span(v, u0, std::min(out_w, u0 + kTileCols));
      }
    }
  }
}

template <void (*Sampler)(const WarpJob&, double, double, uint8_t*)>
void AffineRows(const WarpJob& job, uint8_t* dst) {
  const double* m = job.m;
  for (int v = 0; v < job.out_h; ++v) {
    const double row_x = m[1] * v + m[2], row_y = m[4] * v + m[5];
    uint8_t* out = dst + static_cast<size_t>(v) * job.out_w * job.c;
    for (int u = 0; u < job.out_w; ++u, out += job.c) {
      Sampler(job, m[0] * u + row_x, m[3] * u + row_y, out);
    }
  }
}

template <void (*Sampler)(const WarpJob&, double, double, uint8_t*)>
void FieldRows(const WarpJob& job, std::vector<float>* coords, uint8_t* dst) {
  const double* m = job.m;
  coords->resize(2 * static_cast<size_t>(job.out_w));
  float* xy = coords->data();
  for (int v = 0; v < job.out_h; ++v) {
    const double row_x = m[1] * v + m[2], row_y = m[4] * v + m[5];
    for (int u = 0; u < job.out_w; ++u) {
      double dx, dy;
      job.noise->At(u, v, &dx, &dy);
      xy[2 * u] = static_cast<float>(m[0] * u + row_x + dx);
      xy[2 * u + 1] = static_cast<float>(m[3] * u + row_y + dy);
    }
    uint8_t* out = dst + static_cast<size_t>(v) * job.out_w * job.c;
    for (int u = 0; u < job.out_w; ++u, out += job.c) {
      Sampler(job, xy[2 * u], xy[2 * u + 1], out);
    }
  }
}

void ShuffleRows(const WarpJob& job, uint8_t* dst) {
  const double* m = job.m;
  const int c = job.c;
  const int dxu = static_cast<int>(m[0]), dyu = static_cast<int>(m[3]);
  uint8_t fill8[16];
  std::vector<uint8_t> fill_storage;
  uint8_t* fill = fill8;
  if (c > 16) {
    fill_storage.resize(c);
    fill = fill_storage.data();
  }
  for (int k = 0; k < c; ++k) fill[k] = Round8(job.fill[k]);
  for (int v = 0; v < job.out_h; ++v) {
    const int x0 = static_cast<int>(m[1] * v + m[2]);
    const int y0 = static_cast<int>(m[4] * v + m[5]);
    uint8_t* out = dst + static_cast<size_t>(v) * job.out_w * c;
    const int x_last = x0 + dxu * (job.out_w - 1);
    const int y_last = y0 + dyu * (job.out_w - 1);
    const bool inside = std::min(x0, x_last) >= 0 &&
                        std::max(x0, x_last) < job.w &&
                        std::min(y0, y_last) >= 0 &&
                        std::max(y0, y_last) < job.h;
    if (inside && dxu == 1 && dyu == 0) {
      std::memcpy(out, job.src + (static_cast<size_t>(y0) * job.w + x0) * c,
                  static_cast<size_t>(job.out_w) * c);
      continue;
    }
    if (inside) {
      const ptrdiff_t step =
          (static_cast<ptrdiff_t>(dyu) * job.w + dxu) * c;
      const uint8_t* s = job.src + (static_cast<size_t>(y0) * job.w + x0) * c;
      if (c == 3) {
        for (int u = 0; u < job.out_w; ++u, s += step, out += 3) {
          out[0] = s[0];
          out[1] = s[1];
          out[2] = s[2];
        }
      } else {
        for (int u = 0; u < job.out_w; ++u, s += step, out += c) {
          for (int k = 0; k < c; ++k) out[k] = s[k];
        }
      }
      continue;
    }
    for (int u = 0; u < job.out_w; ++u, out += c) {
      const int x = PaddedIndex(x0 + dxu * u, job.w, job.padding);
      const int y = PaddedIndex(y0 + dyu * u, job.h, job.padding);
      const uint8_t* s = (x < 0 || y < 0)
                             ? fill
                             : job.src + (static_cast<size_t>(y) * job.w + x) * c;
      for (int k = 0; k < c; ++k) out[k] = s[k];
    }
  }
}

}  // namespace

bool IsIndexShuffle(const double m[6]) {
  auto unit = [](double v) { return v == 0 || v == 1 || v == -1; };
  auto integral = [](double v) {
    return v == std::floor(v) && std::fabs(v) < (1 << 30);
  };
  const bool permutation = (m[1] == 0 && m[3] == 0 && m[0] != 0 && m[4] != 0) ||
                           (m[0] == 0 && m[4] == 0 && m[1] != 0 && m[3] != 0);
  return permutation && unit(m[0]) && unit(m[1]) && unit(m[3]) &&
         unit(m[4]) && integral(m[2]) && integral(m[5]);
}

void Warp(const WarpJob& job, std::vector<float>* coords, uint8_t* dst) {
  const bool field = job.noise != nullptr && job.noise->active();
  if (field) {
    switch (job.interpolation) {
      case AugmentationParameter::NEAREST:
        return FieldRows<SampleNearest>(job, coords, dst);
      case AugmentationParameter::BICUBIC:
        return FieldRows<SampleBicubic>(job, coords, dst);
      default:
        return FieldRows<SampleBilinear>(job, coords, dst);
    }
  }
  if (IsIndexShuffle(job.m)) return ShuffleRows(job, dst);
  switch (job.interpolation) {
    case AugmentationParameter::NEAREST:
      return AffineRows<SampleNearest>(job, dst);
    case AugmentationParameter::BICUBIC:
      return AffineRows<SampleBicubic>(job, dst);
    default:
      break;
  }
  // Fixed point needs |coordinates| < 2^15 along the whole row.
  const double reach = std::fabs(job.m[0]) * job.out_w +
                       std::fabs(job.m[1]) * job.out_h +
                       std::max(std::fabs(job.m[2]), std::fabs(job.m[5])) +
                       std::fabs(job.m[3]) * job.out_w +
                       std::fabs(job.m[4]) * job.out_h;
  if (reach > 16000) return AffineRows<SampleBilinear>(job, dst);
  if (job.c == 3) return BilinearRowsFixed<3>(job, dst);
  if (job.c == 1) return BilinearRowsFixed<1>(job, dst);
  return BilinearRowsFixed<0>(job, dst);
}

WarpIsa BestWarpIsa() {
#ifdef CAFFE_WARP_WIDE_KERNELS
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("bmi2")) {
    return WarpIsa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2")) return WarpIsa::kAvx2;
#endif
  return WarpIsa::kSse2;
}

bool SetWarpIsa(WarpIsa isa) {
#ifdef CAFFE_WARP_WIDE_KERNELS
  if (static_cast<int>(isa) > static_cast<int>(BestWarpIsa())) return false;
  WarpIsaSetting().store(isa);
  return true;
#else
  return isa == WarpIsa::kSse2;
#endif
}

WarpIsa CurrentWarpIsa() {
#ifdef CAFFE_WARP_WIDE_KERNELS
  return WarpIsaSetting().load();
#else
  return WarpIsa::kSse2;
#endif
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
