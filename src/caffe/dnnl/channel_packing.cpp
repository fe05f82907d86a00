#include "caffe/dnnl/channel_packing.hpp"

#include <immintrin.h>

#include <algorithm>

namespace caffe {
namespace dnnl_support {

namespace {

#define CAFFE_TARGET_AVX512 __attribute__((target("avx2,avx512f")))

// GCC 12 warns about the deliberately undefined pass-through operand inside
// its own AVX-512 shuffle intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

constexpr int kGroup = 16;  // channels per tile, and nChw16c's block

// Where a packed layout puts things, counted in groups of 16 channels: group
// g of image n starts at group_start(n, g) and its pixel x at + x * pixel_stride.
struct Geometry {
  int groups;        // per image
  long pixel_stride;
  long image_stride;  // from one image's group 0 to the next's
  long group_stride;  // from group g to g + 1 of an image

  explicit Geometry(const PackedShape& s) : groups((s.channels + kGroup - 1) / kGroup) {
    if (s.packing == Packing::kBlocked16) {
      pixel_stride = kGroup;
      group_stride = static_cast<long>(s.spatial) * kGroup;
      image_stride = groups * group_stride;
    } else {
      pixel_stride = s.channels;
      group_stride = kGroup;
      image_stride = static_cast<long>(s.spatial) * s.channels;
    }
  }
  long GroupStart(int n, int g) const { return n * image_stride + g * group_stride; }
};

long PlainIndex(const PackedShape& s, int n, int c, int x) {
  return (static_cast<long>(n) * s.channels + c) * s.spatial + x;
}

// Rows r[0..15] become columns: r[j][i] = old r[i][j]. Four rounds of
// shuffles: pairs within 128-bit lanes, quads within lanes, then lanes.
CAFFE_TARGET_AVX512 inline void Transpose16(__m512 r[kGroup]) {
  __m512 a[kGroup], b[kGroup];
  for (int k = 0; k < kGroup; k += 2) {
    a[k] = _mm512_unpacklo_ps(r[k], r[k + 1]);
    a[k + 1] = _mm512_unpackhi_ps(r[k], r[k + 1]);
  }
  // b[4g + m], lane L: rows 4g..4g+3 at column 4L + m.
  for (int g = 0; g < kGroup; g += 4) {
    b[g] = _mm512_shuffle_ps(a[g], a[g + 2], 0x44);
    b[g + 1] = _mm512_shuffle_ps(a[g], a[g + 2], 0xEE);
    b[g + 2] = _mm512_shuffle_ps(a[g + 1], a[g + 3], 0x44);
    b[g + 3] = _mm512_shuffle_ps(a[g + 1], a[g + 3], 0xEE);
  }
  for (int m = 0; m < 4; ++m) {
    const __m512 low01 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0x44);
    const __m512 high01 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0xEE);
    const __m512 low23 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0x44);
    const __m512 high23 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0xEE);
    r[m] = _mm512_shuffle_f32x4(low01, low23, 0x88);
    r[4 + m] = _mm512_shuffle_f32x4(low01, low23, 0xDD);
    r[8 + m] = _mm512_shuffle_f32x4(high01, high23, 0x88);
    r[12 + m] = _mm512_shuffle_f32x4(high01, high23, 0xDD);
  }
}

// One group of 16 channels of one image: `plain` at its first channel's
// plane, `packed` at its pixel 0; `valid` of the 16 channels exist. A pixel
// is written whole (16 lanes, the missing channels as 0) when `pad`, else
// only its valid lanes.
CAFFE_TARGET_AVX512 void PackGroup(const float* plain, int spatial, int valid, long pixel_stride,
                                   bool pad, float* packed) {
  const __mmask16 lanes = pad ? static_cast<__mmask16>(0xffff)
                              : static_cast<__mmask16>((1u << valid) - 1);
  int x = 0;
  for (; x + kGroup <= spatial; x += kGroup) {
    __m512 r[kGroup];
    for (int c = 0; c < kGroup; ++c) {
      r[c] = c < valid ? _mm512_loadu_ps(plain + static_cast<long>(c) * spatial + x)
                       : _mm512_setzero_ps();
    }
    Transpose16(r);
    for (int i = 0; i < kGroup; ++i) _mm512_mask_storeu_ps(packed + (x + i) * pixel_stride, lanes, r[i]);
  }
  for (; x < spatial; ++x) {
    for (int c = 0; c < (pad ? kGroup : valid); ++c) {
      packed[x * pixel_stride + c] = c < valid ? plain[static_cast<long>(c) * spatial + x] : 0.f;
    }
  }
}

CAFFE_TARGET_AVX512 void UnpackGroup(const float* packed, int spatial, int valid,
                                     long pixel_stride, bool accumulate, float* plain) {
  const __mmask16 lanes = static_cast<__mmask16>((1u << valid) - 1);
  int x = 0;
  for (; x + kGroup <= spatial; x += kGroup) {
    __m512 r[kGroup];
    for (int i = 0; i < kGroup; ++i) {
      r[i] = _mm512_maskz_loadu_ps(lanes, packed + (x + i) * pixel_stride);
    }
    Transpose16(r);
    for (int c = 0; c < valid; ++c) {
      float* out = plain + static_cast<long>(c) * spatial + x;
      _mm512_storeu_ps(out, accumulate ? _mm512_add_ps(_mm512_loadu_ps(out), r[c]) : r[c]);
    }
  }
  for (; x < spatial; ++x) {
    for (int c = 0; c < valid; ++c) {
      float& out = plain[static_cast<long>(c) * spatial + x];
      out = accumulate ? out + packed[x * pixel_stride + c] : packed[x * pixel_stride + c];
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace

void PackChannelsReference(const PackedShape& s, const float* plain, float* packed) {
  const Geometry geo(s);
  const bool pad = s.packing == Packing::kBlocked16;
  for (int n = 0; n < s.num; ++n) {
    for (int g = 0; g < geo.groups; ++g) {
      for (int x = 0; x < s.spatial; ++x) {
        for (int k = 0; k < kGroup; ++k) {
          const int c = g * kGroup + k;
          float* to = packed + geo.GroupStart(n, g) + x * geo.pixel_stride + k;
          if (c < s.channels) {
            *to = plain[PlainIndex(s, n, c, x)];
          } else if (pad) {
            *to = 0.f;
          }
        }
      }
    }
  }
}

void UnpackChannelsReference(const PackedShape& s, const float* packed, bool accumulate,
                             float* plain) {
  const Geometry geo(s);
  for (int n = 0; n < s.num; ++n) {
    for (int c = 0; c < s.channels; ++c) {
      for (int x = 0; x < s.spatial; ++x) {
        const float v =
            packed[geo.GroupStart(n, c / kGroup) + x * geo.pixel_stride + c % kGroup];
        float& out = plain[PlainIndex(s, n, c, x)];
        out = accumulate ? out + v : v;
      }
    }
  }
}

bool HasFastChannelPacking() {
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  return avx512;
}

void PackChannels(const PackedShape& s, const float* plain, float* packed) {
  const Geometry geo(s);
  const int units = s.num * geo.groups;
  const bool pad = s.packing == Packing::kBlocked16;
#pragma omp parallel for schedule(static)
  for (int unit = 0; unit < units; ++unit) {
    const int n = unit / geo.groups, g = unit % geo.groups;
    PackGroup(plain + PlainIndex(s, n, g * kGroup, 0), s.spatial,
              std::min(kGroup, s.channels - g * kGroup), geo.pixel_stride, pad,
              packed + geo.GroupStart(n, g));
  }
}

void UnpackChannels(const PackedShape& s, const float* packed, bool accumulate, float* plain) {
  const Geometry geo(s);
  const int units = s.num * geo.groups;
#pragma omp parallel for schedule(static)
  for (int unit = 0; unit < units; ++unit) {
    const int n = unit / geo.groups, g = unit % geo.groups;
    UnpackGroup(packed + geo.GroupStart(n, g), s.spatial,
                std::min(kGroup, s.channels - g * kGroup), geo.pixel_stride, accumulate,
                plain + PlainIndex(s, n, g * kGroup, 0));
  }
}

}  // namespace dnnl_support
}  // namespace caffe
