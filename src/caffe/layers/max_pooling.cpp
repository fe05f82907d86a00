#include "caffe/layers/max_pooling.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cfloat>
#include <vector>

namespace caffe {
namespace internal {

namespace {

#define CAFFE_TARGET_AVX2 __attribute__((target("avx2")))
#define CAFFE_TARGET_AVX512 __attribute__((target("avx2,avx512f")))

// Upstream starts every window from -FLT_MAX, in double too.
template <typename Dtype>
constexpr Dtype kLowest = static_cast<Dtype>(-FLT_MAX);

// Where each output's window starts, padding included (so possibly at a
// negative row or column): the same for every plane.
struct WindowStarts {
  std::vector<int> row, column, index;  // index = row * width + column

  explicit WindowStarts(const PoolGeometry& g) {
    const int n = g.pooled_height * g.pooled_width;
    row.resize(n);
    column.resize(n);
    index.resize(n);
    for (int ph = 0; ph < g.pooled_height; ++ph) {
      for (int pw = 0; pw < g.pooled_width; ++pw) {
        const int o = ph * g.pooled_width + pw;
        row[o] = ph * g.stride_h - g.pad_h;
        column[o] = pw * g.stride_w - g.pad_w;
        index[o] = row[o] * g.width + column[o];
      }
    }
  }
};

// Sixteen outputs at a time: each window cell is gathered for all of them,
// under a mask of the lanes whose cell lies inside the image, and replaces
// a lane's best only when strictly greater, so every lane sees its window
// in row-major order as the reference does.
CAFFE_TARGET_AVX512 void PoolPlanesAvx512(const PoolGeometry& g, int planes, const float* in,
                                          float* out, int* selected) {
  const WindowStarts starts(g);
  const int n = g.pooled_height * g.pooled_width;
  const __m512i height = _mm512_set1_epi32(g.height), width = _mm512_set1_epi32(g.width);
  const __m512 lowest = _mm512_set1_ps(kLowest<float>);
  for (int p = 0; p < planes; ++p) {
    const float* plane = in + static_cast<long>(p) * g.height * g.width;
    for (int o = 0; o < n; o += 16) {
      const __mmask16 lanes =
          n - o >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - o)) - 1);
      const __m512i row = _mm512_maskz_loadu_epi32(lanes, starts.row.data() + o);
      const __m512i column = _mm512_maskz_loadu_epi32(lanes, starts.column.data() + o);
      const __m512i index = _mm512_maskz_loadu_epi32(lanes, starts.index.data() + o);
      __m512 best = lowest;
      __m512i chosen = _mm512_set1_epi32(-1);
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        // Unsigned: a row above the image wraps to a huge value.
        const __mmask16 row_inside =
            _mm512_mask_cmplt_epu32_mask(lanes, _mm512_add_epi32(row, _mm512_set1_epi32(kh)), height);
        if (!row_inside) continue;
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          const __mmask16 inside = _mm512_mask_cmplt_epu32_mask(
              row_inside, _mm512_add_epi32(column, _mm512_set1_epi32(kw)), width);
          const __m512i at = _mm512_add_epi32(index, _mm512_set1_epi32(kh * g.width + kw));
          const __m512 v = _mm512_mask_i32gather_ps(lowest, inside, at, plane, 4);
          const __mmask16 take = _mm512_mask_cmp_ps_mask(inside, v, best, _CMP_GT_OQ);
          best = _mm512_mask_mov_ps(best, take, v);
          chosen = _mm512_mask_mov_epi32(chosen, take, at);
        }
      }
      const long first = static_cast<long>(p) * n + o;
      _mm512_mask_storeu_ps(out + first, lanes, best);
      _mm512_mask_storeu_epi32(selected + first, lanes, chosen);
    }
  }
}

// 0 <= x < limit, as all-ones lanes.
CAFFE_TARGET_AVX2 inline __m256i Within(__m256i x, __m256i limit) {
  return _mm256_and_si256(_mm256_cmpgt_epi32(x, _mm256_set1_epi32(-1)),
                          _mm256_cmpgt_epi32(limit, x));
}

// The same, eight outputs at a time.
CAFFE_TARGET_AVX2 void PoolPlanesAvx2(const PoolGeometry& g, int planes, const float* in,
                                      float* out, int* selected) {
  const WindowStarts starts(g);
  const int n = g.pooled_height * g.pooled_width;
  const __m256i minus_one = _mm256_set1_epi32(-1);
  const __m256i height = _mm256_set1_epi32(g.height), width = _mm256_set1_epi32(g.width);
  const __m256i lane_number = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 lowest = _mm256_set1_ps(kLowest<float>);
  for (int p = 0; p < planes; ++p) {
    const float* plane = in + static_cast<long>(p) * g.height * g.width;
    for (int o = 0; o < n; o += 8) {
      const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - o), lane_number);
      const __m256i row = _mm256_maskload_epi32(starts.row.data() + o, lanes);
      const __m256i column = _mm256_maskload_epi32(starts.column.data() + o, lanes);
      const __m256i index = _mm256_maskload_epi32(starts.index.data() + o, lanes);
      __m256 best = lowest;
      __m256i chosen = minus_one;
      for (int kh = 0; kh < g.kernel_h; ++kh) {
        const __m256i row_inside =
            _mm256_and_si256(lanes, Within(_mm256_add_epi32(row, _mm256_set1_epi32(kh)), height));
        if (_mm256_testz_si256(row_inside, row_inside)) continue;
        for (int kw = 0; kw < g.kernel_w; ++kw) {
          const __m256i inside = _mm256_and_si256(
              row_inside, Within(_mm256_add_epi32(column, _mm256_set1_epi32(kw)), width));
          const __m256i at = _mm256_add_epi32(index, _mm256_set1_epi32(kh * g.width + kw));
          const __m256 v =
              _mm256_mask_i32gather_ps(lowest, plane, at, _mm256_castsi256_ps(inside), 4);
          const __m256 take = _mm256_and_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ),
                                            _mm256_castsi256_ps(inside));
          best = _mm256_blendv_ps(best, v, take);
          chosen = _mm256_castps_si256(
              _mm256_blendv_ps(_mm256_castsi256_ps(chosen), _mm256_castsi256_ps(at), take));
        }
      }
      const long first = static_cast<long>(p) * n + o;
      _mm256_maskstore_ps(out + first, lanes, best);
      _mm256_maskstore_epi32(selected + first, lanes, chosen);
    }
  }
}

PoolIsa DetectPoolIsa() {
  if (__builtin_cpu_supports("avx512f")) return PoolIsa::kAvx512;
  if (__builtin_cpu_supports("avx2")) return PoolIsa::kAvx2;
  return PoolIsa::kScalar;
}

}  // namespace

template <typename Dtype>
void MaxPoolReference(const PoolGeometry& g, int planes, const Dtype* in, Dtype* out,
                      int* selected) {
  for (int p = 0; p < planes; ++p) {
    for (int ph = 0; ph < g.pooled_height; ++ph) {
      const int hstart = std::max(ph * g.stride_h - g.pad_h, 0);
      const int hend = std::min(ph * g.stride_h - g.pad_h + g.kernel_h, g.height);
      for (int pw = 0; pw < g.pooled_width; ++pw) {
        const int wstart = std::max(pw * g.stride_w - g.pad_w, 0);
        const int wend = std::min(pw * g.stride_w - g.pad_w + g.kernel_w, g.width);
        Dtype best = kLowest<Dtype>;
        int best_index = -1;
        for (int h = hstart; h < hend; ++h) {
          for (int w = wstart; w < wend; ++w) {
            const int index = h * g.width + w;
            if (in[index] > best) {
              best = in[index];
              best_index = index;
            }
          }
        }
        out[ph * g.pooled_width + pw] = best;
        selected[ph * g.pooled_width + pw] = best_index;
      }
    }
    in += g.height * g.width;
    out += g.pooled_height * g.pooled_width;
    selected += g.pooled_height * g.pooled_width;
  }
}

PoolIsa BestPoolIsa() {
  static const PoolIsa best = DetectPoolIsa();
  return best;
}

bool MaxPoolPlanesWith(PoolIsa isa, const PoolGeometry& g, int planes, const float* in,
                       float* out, int* selected) {
  if (static_cast<int>(isa) > static_cast<int>(BestPoolIsa())) return false;
  switch (isa) {
    case PoolIsa::kAvx512:
      PoolPlanesAvx512(g, planes, in, out, selected);
      break;
    case PoolIsa::kAvx2:
      PoolPlanesAvx2(g, planes, in, out, selected);
      break;
    case PoolIsa::kScalar:
      MaxPoolReference(g, planes, in, out, selected);
      break;
  }
  return true;
}

template <>
void MaxPoolPlanes<float>(const PoolGeometry& g, int planes, const float* in, float* out,
                          int* selected) {
  // A lane per output: planes of a few outputs (global pooling) would leave
  // most lanes idle, and the reference is as fast there.
  const int outputs = g.pooled_height * g.pooled_width;
  const PoolIsa isa = outputs >= 8 ? BestPoolIsa() : PoolIsa::kScalar;
  MaxPoolPlanesWith(isa, g, planes, in, out, selected);
}

template <>
void MaxPoolPlanes<double>(const PoolGeometry& g, int planes, const double* in, double* out,
                           int* selected) {
  MaxPoolReference(g, planes, in, out, selected);
}

template void MaxPoolReference<float>(const PoolGeometry&, int, const float*, float*, int*);
template void MaxPoolReference<double>(const PoolGeometry&, int, const double*, double*, int*);

}  // namespace internal
}  // namespace caffe
