// The channel sums behind the contrast's mean luminance: 8-bit three-channel
// pixels summed per channel with psadbw on AVX2 / AVX-512 (one channel's
// bytes masked at a time), chosen by the pixel chain's ISA setting. Integer
// sums, so every ISA gives the reference loop's result exactly
// (tests/cpp/test_pixel_chain_isa.cpp).
#include <cstddef>
#include <cstdint>

#include "caffe/augment/kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define CAFFE_CHANNEL_SUM_KERNELS 1
#include <immintrin.h>
#endif

namespace caffe {
namespace augment {
namespace internal {

namespace {

#ifdef CAFFE_CHANNEL_SUM_KERNELS
// GCC 12 reports the AVX-512 intrinsics' own undefined pass-through operands.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define CAFFE_TARGET_AVX2 __attribute__((target("avx2")))
#define CAFFE_TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512dq,avx512vl")))
// Channel sums of 32 three-channel pixels (96 bytes) at a time: byte b of
// vector t is channel (2 t + b) % 3, since 32 = 2 (mod 3); masked to one
// channel, psadbw adds its bytes.
CAFFE_TARGET_AVX2 int ChannelSums3Avx2(const uint8_t* img, int pixels, uint64_t sums[3]) {
  __m256i mask[3][3], acc[3];
  for (int t = 0; t < 3; ++t) {
    for (int k = 0; k < 3; ++k) {
      alignas(32) uint8_t bytes[32];
      for (int b = 0; b < 32; ++b) bytes[b] = (2 * t + b) % 3 == k ? 0xff : 0;
      mask[t][k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(bytes));
    }
  }
  for (int k = 0; k < 3; ++k) acc[k] = _mm256_setzero_si256();
  const __m256i zero = _mm256_setzero_si256();
  int i = 0;
  for (; i + 32 <= pixels; i += 32) {
    const uint8_t* p = img + 3 * static_cast<size_t>(i);
    for (int t = 0; t < 3; ++t) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * t));
      for (int k = 0; k < 3; ++k) {
        acc[k] = _mm256_add_epi64(acc[k], _mm256_sad_epu8(_mm256_and_si256(v, mask[t][k]), zero));
      }
    }
  }
  for (int k = 0; k < 3; ++k) {
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[k]);
    sums[k] += lanes[0] + lanes[1] + lanes[2] + lanes[3];
  }
  return i;
}

// The same with 64 pixels (192 bytes) at a time: 64 = 1 (mod 3).
CAFFE_TARGET_AVX512 int ChannelSums3Avx512(const uint8_t* img, int pixels, uint64_t sums[3]) {
  __mmask64 mask[3][3];
  for (int t = 0; t < 3; ++t) {
    for (int k = 0; k < 3; ++k) {
      mask[t][k] = 0;
      for (int b = 0; b < 64; ++b) {
        if ((t + b) % 3 == k) mask[t][k] |= 1ull << b;
      }
    }
  }
  __m512i acc[3] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
  const __m512i zero = _mm512_setzero_si512();
  int i = 0;
  for (; i + 64 <= pixels; i += 64) {
    const uint8_t* p = img + 3 * static_cast<size_t>(i);
    for (int t = 0; t < 3; ++t) {
      const __m512i v = _mm512_loadu_si512(p + 64 * t);
      for (int k = 0; k < 3; ++k) {
        acc[k] = _mm512_add_epi64(acc[k],
                                  _mm512_sad_epu8(_mm512_maskz_mov_epi8(mask[t][k], v), zero));
      }
    }
  }
  for (int k = 0; k < 3; ++k) sums[k] += _mm512_reduce_add_epi64(acc[k]);
  return i;
}

#pragma GCC diagnostic pop
#undef CAFFE_TARGET_AVX2
#undef CAFFE_TARGET_AVX512
#endif  // CAFFE_CHANNEL_SUM_KERNELS

}  // namespace

void ChannelSums3Reference(const uint8_t* img, int pixels, uint64_t sums[3]) {
  sums[0] = sums[1] = sums[2] = 0;
  for (int i = 0; i < pixels; ++i) {
    sums[0] += img[3 * i];
    sums[1] += img[3 * i + 1];
    sums[2] += img[3 * i + 2];
  }
}

void ChannelSums3(const uint8_t* img, int pixels, uint64_t sums[3]) {
  sums[0] = sums[1] = sums[2] = 0;
  int done = 0;
#ifdef CAFFE_CHANNEL_SUM_KERNELS
  switch (CurrentPixelIsa()) {
    case PixelIsa::kAvx512:
      done = ChannelSums3Avx512(img, pixels, sums);
      break;
    case PixelIsa::kAvx2:
      done = ChannelSums3Avx2(img, pixels, sums);
      break;
    default:
      break;
  }
#endif
  uint64_t rest[3];
  ChannelSums3Reference(img + 3 * static_cast<size_t>(done), pixels - done, rest);
  for (int k = 0; k < 3; ++k) sums[k] += rest[k];
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
