// The AVX2 and AVX-512 kernels of the fixed-point bilinear warp.
// Eight (AVX2) or sixteen (AVX-512) three-channel output pixels per step.
// Pixels inside Bilinear3Sse's reach get exactly its arithmetic: taps scaled
// by 64, lerp(a, b, f15) = a + ((2 (b - a) f15) >> 16) (mulhi_epi16; the
// column lerp takes the difference of the unscaled taps and scales it by
// 128, the same 16-bit value), (v + 32) >> 6. Pixels wholly outside under
// ZEROS padding get the fill, and the few others go through EdgePixel, as in
// the pixel loop. So every ISA writes the same bytes.
// Each pixel's two source rows are read as qwords [a0 a1 a2 b0 b1 b2 . .]
// at the left tap, which stay inside the row because the kernels take only
// pixels with ix < w - 2 (max_ix_sse). Source coordinates travel as 16-bit
// pairs (ix, iy), one per dword: one unsigned min tests both bounds and one
// madd_epi16 with (3, stride) makes the byte offset, hence the limits in
// ChosenWideKernel.
// Measured on an AVX-512 Xeon (docs/benchmarks.md): AVX2's 8-lane gathers
// lose to eight scalar offset loads and sixteen qword loads; AVX-512's
// 64-bit gathers beat the loads.
#include "caffe/augment/warp_wide.hpp"

#ifdef CAFFE_WARP_WIDE_KERNELS
#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace caffe {
namespace augment {
namespace internal {

namespace {

constexpr int kPrefetchAhead = 32;  // pixels
static_assert(kSegment % 16 == 0, "the kernels' groups start segments");

inline void PrefetchAhead(const FixedBilinear& f, int32_t X, int32_t Y) {
  const int ahead_x = (X + kPrefetchAhead * f.step_x) >> kFracBits;
  const int ahead_y = (Y + kPrefetchAhead * f.step_y) >> kFracBits;
  if (static_cast<unsigned>(ahead_x) < f.max_ix && static_cast<unsigned>(ahead_y) < f.max_iy) {
    const uint8_t* p = f.src + static_cast<size_t>(ahead_y) * f.stride + ahead_x * 3;
    _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(p + f.stride), _MM_HINT_T0);
  }
}

// Appends the span indices of the lanes set in `lanes` (a bit mask) of the
// group starting at span index `first`.
inline int* AppendLanes(unsigned lanes, int first, int* edges) {
  for (; lanes != 0; lanes &= lanes - 1) *edges++ = first + __builtin_ctz(lanes);
  return edges;
}

#define CAFFE_TARGET_AVX2 __attribute__((target("avx2")))
#define CAFFE_TARGET_AVX512 __attribute__((target("avx2,bmi2,avx512f,avx512bw")))

// Both kernels lerp in 16-bit lanes, as Bilinear3Sse does: in each 128-bit
// lane, the four pixels' left taps of a channel sit in 16-bit lanes 0-3 and
// their right taps in 4-7, so one multiply serves both columns.
constexpr int8_t kZero = -128;  // a pshufb control byte that writes zero

// The AVX2 kernel. AVX2's gathers cost more than loading each pixel's two
// tap pairs as qwords [a0 a1 a2 b0 b1 b2 . .], one per source row, so it
// does that, two pixels per 128-bit lane: pixels 0, 1 | 4, 5 of a group of
// eight in one register ("first") and 2, 3 | 6, 7 in another ("second").
// Pixel 4 l + s of the group is then slot s of 128-bit lane l everywhere:
// its left taps in 16-bit lane s, its right taps in 4 + s.

// Channel k's taps of both qwords of a lane to 16-bit lanes s, s + 1 (left:
// byte k) and 4 + s, 5 + s (right: byte 3 + k), zero-extended.
#define CAFFE_TAPS(k, s)                                                                 \
  (s == 0 ? k : kZero), kZero, (s == 0 ? 8 + k : kZero), kZero, (s == 2 ? k : kZero), kZero, \
      (s == 2 ? 8 + k : kZero), kZero, (s == 0 ? 3 + k : kZero), kZero,                   \
      (s == 0 ? 11 + k : kZero), kZero, (s == 2 ? 3 + k : kZero), kZero,                  \
      (s == 2 ? 11 + k : kZero), kZero
#define CAFFE_TAP_CONTROL(k, s) _mm256_setr_epi8(CAFFE_TAPS(k, s), CAFFE_TAPS(k, s))

// a + ((2 (b - a) f15) >> 16) in 16-bit lanes: Bilinear3Sse's lerp.
CAFFE_TARGET_AVX2 inline __m256i Lerp8(__m256i a, __m256i b, __m256i f15) {
  const __m256i d = _mm256_sub_epi16(b, a);
  return _mm256_add_epi16(a, _mm256_mulhi_epi16(_mm256_add_epi16(d, d), f15));
}

// Channel k of the group's pixels down the columns (Bilinear3Sse's `column`):
// left taps in 16-bit lanes 0-3, right taps in 4-7.
CAFFE_TARGET_AVX2 inline __m256i Column8(__m256i first_control, __m256i second_control,
                                         __m256i top_first, __m256i top_second,
                                         __m256i bottom_first, __m256i bottom_second,
                                         __m256i fy) {
  const __m256i top = _mm256_or_si256(_mm256_shuffle_epi8(top_first, first_control),
                                      _mm256_shuffle_epi8(top_second, second_control));
  const __m256i bottom = _mm256_or_si256(_mm256_shuffle_epi8(bottom_first, first_control),
                                         _mm256_shuffle_epi8(bottom_second, second_control));
  // 64 top + mulhi(2 * 64 (bottom - top), fy): the taps scaled by 64 after
  // the difference, which the unscaled bytes give exactly.
  return _mm256_add_epi16(
      _mm256_slli_epi16(top, 6),
      _mm256_mulhi_epi16(_mm256_slli_epi16(_mm256_sub_epi16(bottom, top), 7), fy));
}

// The qword at p in every qword of the result.
CAFFE_TARGET_AVX2 inline __m256i BroadcastQword(const uint8_t* p) {
  return _mm256_broadcastq_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// The qwords at base + offset[p] for pixels p = j, j + 1, j + 4, j + 5.
CAFFE_TARGET_AVX2 inline __m256i LoadQwords(const uint8_t* base, const int32_t* offset, int j) {
  const __m256i low =
      _mm256_blend_epi32(BroadcastQword(base + offset[j]), BroadcastQword(base + offset[j + 1]),
                         0x0c);
  const __m256i high = _mm256_blend_epi32(BroadcastQword(base + offset[j + 4]),
                                          BroadcastQword(base + offset[j + 5]), 0xc0);
  return _mm256_blend_epi32(low, high, 0xf0);
}

// The eight pixels of a group whose left top taps are at `pixel_offset` in
// `top_row` (and the same in `bottom_row`) and whose 16.16 source points are
// (x, y), as [r0-3 g0-3 b0-3 .] in each 128-bit lane. `offset` is room for
// the offsets.
CAFFE_TARGET_AVX2 inline __m256i Interpolate8(const uint8_t* top_row, const uint8_t* bottom_row,
                                              __m256i pixel_offset, __m256i x, __m256i y,
                                              int32_t* offset) {
  // Through memory: eight scalar loads cost less than the extracts the
  // compiler would otherwise make of them.
  _mm256_store_si256(reinterpret_cast<__m256i*>(offset), pixel_offset);
  __asm__("" : "+m"(*reinterpret_cast<int32_t(*)[8]>(offset)));
  const __m256i top_first = LoadQwords(top_row, offset, 0);
  const __m256i top_second = LoadQwords(top_row, offset, 2);
  const __m256i bottom_first = LoadQwords(bottom_row, offset, 0);
  const __m256i bottom_second = LoadQwords(bottom_row, offset, 2);
  // The 15-bit fractions, in 16-bit lanes s and 4 + s.
  const __m256i fraction = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13,
                                            0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13);
  const __m256i fx = _mm256_shuffle_epi8(_mm256_srli_epi16(x, 1), fraction);
  const __m256i fy = _mm256_shuffle_epi8(_mm256_srli_epi16(y, 1), fraction);
  const __m256i red = Column8(CAFFE_TAP_CONTROL(0, 0), CAFFE_TAP_CONTROL(0, 2), top_first,
                              top_second, bottom_first, bottom_second, fy);
  const __m256i green = Column8(CAFFE_TAP_CONTROL(1, 0), CAFFE_TAP_CONTROL(1, 2), top_first,
                                top_second, bottom_first, bottom_second, fy);
  const __m256i blue = Column8(CAFFE_TAP_CONTROL(2, 0), CAFFE_TAP_CONTROL(2, 2), top_first,
                               top_second, bottom_first, bottom_second, fy);
  // Across the columns: red and green together ([r0-3 g0-3] left against
  // right), blue alone; then (v + 32) >> 6.
  const __m256i rounding = _mm256_set1_epi16(32);
  const __m256i red_green = _mm256_srai_epi16(
      _mm256_add_epi16(
          Lerp8(_mm256_unpacklo_epi64(red, green), _mm256_unpackhi_epi64(red, green), fx),
          rounding),
      6);
  const __m256i blue_value = _mm256_srai_epi16(
      _mm256_add_epi16(Lerp8(blue, _mm256_unpackhi_epi64(blue, blue), fx), rounding), 6);
  return _mm256_packus_epi16(red_green, blue_value);
}

CAFFE_TARGET_AVX2 int WideBilinear3Avx2(const FixedBilinear& f, const RowSpan& span,
                                        int* edges) {
  int* const edges_begin = edges;
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i step_x8 = _mm256_set1_epi32(8 * f.step_x);
  const __m256i step_y8 = _mm256_set1_epi32(8 * f.step_y);
  // Pixel coordinates as 16-bit pairs (ix, iy) in each dword (ChosenWideKernel
  // ensures they and the stride fit): unsigned ix < max_ix_sse and
  // iy < max_iy as min(pair, last) == pair, and the offset of the left top
  // tap as one multiply-add with (3, stride).
  const __m256i last = _mm256_set1_epi32(static_cast<int>(f.max_ix_sse - 1) |
                                         static_cast<int>(f.max_iy - 1) << 16);
  const __m256i pixel_stride = _mm256_set1_epi32(3 | static_cast<int>(f.stride) << 16);
  const __m256i last_xy = _mm256_set1_epi32((f.w - 1) | (f.h - 1) << 16);
  const __m256i minus_one = _mm256_set1_epi32(-1);
  // Per 128-bit lane, [r0-3 g0-3 b0-3 .] to [r0 g0 b0 ... r3 g3 b3 .], and
  // the two lanes' twelve bytes together.
  const __m256i interleave =
      _mm256_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, kZero, kZero, kZero, kZero, 0, 4, 8,
                       1, 5, 9, 2, 6, 10, 3, 7, 11, kZero, kZero, kZero, kZero);
  const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  // A dword mask per pixel to the [r0-3 g0-3 b0-3 .] layout, and the fill in it.
  const __m256i spread = _mm256_setr_epi8(0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0,
                                          4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
  const __m256i fill_packed = _mm256_broadcastsi128_si256(_mm_setr_epi32(
      static_cast<int>(f.fill8[0] * 0x01010101u), static_cast<int>(f.fill8[1] * 0x01010101u),
      static_cast<int>(f.fill8[2] * 0x01010101u), 0));
  const uint8_t* const top_row = f.src;
  const uint8_t* const bottom_row = f.src + f.stride;
  // Locals: the byte stores below may alias any field, which would be
  // reloaded after each of them.
  const int32_t step_x = f.step_x, step_y = f.step_y, n = span.n;
  const bool fill_outside = f.fill_outside;
  uint8_t* const out_row = span.out;
  alignas(32) int32_t offset[8];
  const int32_t* const start = span.start;
  int32_t X = start[0], Y = start[1];
  __m256i x =
      _mm256_add_epi32(_mm256_set1_epi32(X), _mm256_mullo_epi32(lanes, _mm256_set1_epi32(step_x)));
  __m256i y =
      _mm256_add_epi32(_mm256_set1_epi32(Y), _mm256_mullo_epi32(lanes, _mm256_set1_epi32(step_y)));
  for (int segment = 0; segment < n; segment += kSegment) {
    if (segment > 0) {
      // Its start point in every lane.
      const int32_t dx = start[2 * (segment / kSegment)] - X;
      const int32_t dy = start[2 * (segment / kSegment) + 1] - Y;
      X += dx;
      Y += dy;
      x = _mm256_add_epi32(x, _mm256_set1_epi32(dx));
      y = _mm256_add_epi32(y, _mm256_set1_epi32(dy));
    }
    const int segment_end = std::min(n, segment + kSegment);
    for (int first = segment; first < segment_end;
         first += 8, X += 8 * step_x, Y += 8 * step_y, x = _mm256_add_epi32(x, step_x8),
         y = _mm256_add_epi32(y, step_y8)) {
      const int count = std::min(8, n - first);
      const unsigned active = (1u << count) - 1;
      const __m256i pair = _mm256_blend_epi16(_mm256_srli_epi32(x, kFracBits), y, 0xaa);
      const __m256i pair_inside = _mm256_cmpeq_epi16(_mm256_min_epu16(pair, last), pair);
      __m256i pixel_offset = _mm256_madd_epi16(pair, pixel_stride);
      PrefetchAhead(f, X, Y);
      // The common case: all eight pixels inside. Otherwise lanes that are
      // not inside read the image's first pixels instead, and get the fill.
      const bool all_inside = _mm256_movemask_epi8(pair_inside) == -1;
      __m256i inside = minus_one;
      unsigned inside_lanes = 0xff, outside_lanes = 0;
      if (!all_inside) {
        inside = _mm256_cmpeq_epi32(pair_inside, minus_one);
        pixel_offset = _mm256_and_si256(pixel_offset, inside);
        inside_lanes = _mm256_movemask_ps(_mm256_castsi256_ps(inside));
        if (fill_outside) {
          // ix < -1 or iy < -1 or ix > w - 1 or iy > h - 1.
          const __m256i beyond = _mm256_or_si256(_mm256_cmpgt_epi16(minus_one, pair),
                                                 _mm256_cmpgt_epi16(pair, last_xy));
          outside_lanes = ~_mm256_movemask_ps(_mm256_castsi256_ps(
                              _mm256_cmpeq_epi32(beyond, _mm256_setzero_si256()))) & 0xff;
        }
      }
      __m256i packed;  // [r0-3 g0-3 b0-3 .]
      if (all_inside) {
        packed = Interpolate8(top_row, bottom_row, pixel_offset, x, y, offset);
      } else if ((inside_lanes & active) == 0) {
        packed = fill_packed;
      } else {
        packed = _mm256_blendv_epi8(fill_packed,
                                    Interpolate8(top_row, bottom_row, pixel_offset, x, y, offset),
                                    _mm256_shuffle_epi8(inside, spread));
      }
      const __m256i bytes =
          _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(packed, interleave), join);
      uint8_t* out = out_row + 3 * first;
      if (count == 8) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(bytes, 1));
      } else {
        alignas(32) uint8_t staged[32];
        _mm256_store_si256(reinterpret_cast<__m256i*>(staged), bytes);
        std::memcpy(out, staged, 3 * count);
      }
      if ((inside_lanes & active) != active) {
        edges = AppendLanes(active & ~(inside_lanes | outside_lanes), first, edges);
      }
    }
  }
  return static_cast<int>(edges - edges_begin);
}

// GCC 12 reports the AVX-512 intrinsics' own undefined pass-through operands.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The AVX-512 kernel: the AVX2 kernel's arithmetic on sixteen pixels, pixel
// 4 l + s of a group in slot s of 128-bit lane l. Each pixel's qwords come
// from 64-bit gathers, eight a register: "first" holds pixels 0, 1 | 4, 5 |
// 8, 9 | 12, 13 and "second" 2, 3 | 6, 7 | ....
#define CAFFE_TAP_CONTROL512(k, s) \
  _mm512_broadcast_i32x4(_mm_setr_epi8(CAFFE_TAPS(k, s)))

CAFFE_TARGET_AVX512 inline __m512i Lerp16(__m512i a, __m512i b, __m512i f15) {
  const __m512i d = _mm512_sub_epi16(b, a);
  return _mm512_add_epi16(a, _mm512_mulhi_epi16(_mm512_add_epi16(d, d), f15));
}

// Column8 on sixteen pixels; the second register's taps merge in by mask.
CAFFE_TARGET_AVX512 inline __m512i Column16(__m512i first_control, __m512i second_control,
                                            __m512i top_first, __m512i top_second,
                                            __m512i bottom_first, __m512i bottom_second,
                                            __m512i fy) {
  constexpr __mmask64 kSecondSlots = 0xf0f0f0f0f0f0f0f0ull;  // 16-bit lanes 2, 3, 6, 7
  const __m512i top = _mm512_mask_shuffle_epi8(_mm512_shuffle_epi8(top_first, first_control),
                                               kSecondSlots, top_second, second_control);
  const __m512i bottom = _mm512_mask_shuffle_epi8(
      _mm512_shuffle_epi8(bottom_first, first_control), kSecondSlots, bottom_second,
      second_control);
  return _mm512_add_epi16(
      _mm512_slli_epi16(top, 6),
      _mm512_mulhi_epi16(_mm512_slli_epi16(_mm512_sub_epi16(bottom, top), 7), fy));
}

// Interpolate8 on sixteen pixels, the offsets in a vector.
CAFFE_TARGET_AVX512 inline __m512i Interpolate16(const uint8_t* top_row,
                                                 const uint8_t* bottom_row,
                                                 __m512i pixel_offset, __m512i x, __m512i y) {
  const __m256i first_offset = _mm512_castsi512_si256(_mm512_permutexvar_epi32(
      _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 0, 0, 0, 0, 0, 0, 0, 0), pixel_offset));
  const __m256i second_offset = _mm512_castsi512_si256(_mm512_permutexvar_epi32(
      _mm512_setr_epi32(2, 3, 6, 7, 10, 11, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0), pixel_offset));
  const __m512i top_first = _mm512_i32gather_epi64(first_offset, top_row, 1);
  const __m512i top_second = _mm512_i32gather_epi64(second_offset, top_row, 1);
  const __m512i bottom_first = _mm512_i32gather_epi64(first_offset, bottom_row, 1);
  const __m512i bottom_second = _mm512_i32gather_epi64(second_offset, bottom_row, 1);
  const __m512i fraction = _mm512_broadcast_i32x4(
      _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13));
  const __m512i fx = _mm512_shuffle_epi8(_mm512_srli_epi16(x, 1), fraction);
  const __m512i fy = _mm512_shuffle_epi8(_mm512_srli_epi16(y, 1), fraction);
  const __m512i red = Column16(CAFFE_TAP_CONTROL512(0, 0), CAFFE_TAP_CONTROL512(0, 2), top_first,
                               top_second, bottom_first, bottom_second, fy);
  const __m512i green = Column16(CAFFE_TAP_CONTROL512(1, 0), CAFFE_TAP_CONTROL512(1, 2),
                                 top_first, top_second, bottom_first, bottom_second, fy);
  const __m512i blue = Column16(CAFFE_TAP_CONTROL512(2, 0), CAFFE_TAP_CONTROL512(2, 2), top_first,
                                top_second, bottom_first, bottom_second, fy);
  const __m512i rounding = _mm512_set1_epi16(32);
  const __m512i red_green = _mm512_srai_epi16(
      _mm512_add_epi16(
          Lerp16(_mm512_unpacklo_epi64(red, green), _mm512_unpackhi_epi64(red, green), fx),
          rounding),
      6);
  const __m512i blue_value = _mm512_srai_epi16(
      _mm512_add_epi16(Lerp16(blue, _mm512_unpackhi_epi64(blue, blue), fx), rounding), 6);
  return _mm512_packus_epi16(red_green, blue_value);
}

CAFFE_TARGET_AVX512 int WideBilinear3Avx512(const FixedBilinear& f, const RowSpan& span,
                                           int* edges) {
  int* const edges_begin = edges;
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step_x16 = _mm512_set1_epi32(16 * f.step_x);
  const __m512i step_y16 = _mm512_set1_epi32(16 * f.step_y);
  // As in the AVX2 kernel: (ix, iy) as 16-bit pairs.
  const __m512i last = _mm512_set1_epi32(static_cast<int>(f.max_ix_sse - 1) |
                                         static_cast<int>(f.max_iy - 1) << 16);
  const __m512i pixel_stride = _mm512_set1_epi32(3 | static_cast<int>(f.stride) << 16);
  const __m512i last_xy = _mm512_set1_epi32((f.w - 1) | (f.h - 1) << 16);
  const __m512i minus_one = _mm512_set1_epi32(-1);
  const __m512i interleave = _mm512_broadcast_i32x4(
      _mm_setr_epi8(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, kZero, kZero, kZero, kZero));
  const __m512i fill_packed = _mm512_broadcast_i32x4(_mm_setr_epi32(
      static_cast<int>(f.fill8[0] * 0x01010101u), static_cast<int>(f.fill8[1] * 0x01010101u),
      static_cast<int>(f.fill8[2] * 0x01010101u), 0));
  const uint8_t* const top_row = f.src;
  const uint8_t* const bottom_row = f.src + f.stride;
  // Locals: the byte stores below may alias any field, which would be
  // reloaded after each of them.
  const int32_t step_x = f.step_x, step_y = f.step_y, n = span.n;
  const bool fill_outside = f.fill_outside;
  uint8_t* const out = span.out;
  const int32_t* const start = span.start;
  int32_t X = start[0], Y = start[1];
  __m512i x =
      _mm512_add_epi32(_mm512_set1_epi32(X), _mm512_mullo_epi32(lanes, _mm512_set1_epi32(step_x)));
  __m512i y =
      _mm512_add_epi32(_mm512_set1_epi32(Y), _mm512_mullo_epi32(lanes, _mm512_set1_epi32(step_y)));
  for (int segment = 0; segment < n; segment += kSegment) {
    if (segment > 0) {
      // Its start point in every lane.
      const int32_t dx = start[2 * (segment / kSegment)] - X;
      const int32_t dy = start[2 * (segment / kSegment) + 1] - Y;
      X += dx;
      Y += dy;
      x = _mm512_add_epi32(x, _mm512_set1_epi32(dx));
      y = _mm512_add_epi32(y, _mm512_set1_epi32(dy));
    }
    const int segment_end = std::min(n, segment + kSegment);
    for (int first = segment; first < segment_end;
         first += 16, X += 16 * step_x, Y += 16 * step_y, x = _mm512_add_epi32(x, step_x16),
         y = _mm512_add_epi32(y, step_y16)) {
      const int count = std::min(16, n - first);
      const __mmask16 active = static_cast<__mmask16>((1u << count) - 1);
      const __m512i pair = _mm512_mask_blend_epi16(0xaaaaaaaau, _mm512_srli_epi32(x, kFracBits), y);
      const __mmask16 inside =
          _mm512_cmpeq_epi32_mask(_mm512_min_epu16(pair, last), pair);
      const __m512i pixel_offset = _mm512_madd_epi16(pair, pixel_stride);
      PrefetchAhead(f, X, Y);
      PrefetchAhead(f, X + 8 * step_x, Y + 8 * step_y);
      __m512i packed;  // [r0-3 g0-3 b0-3 .]
      __mmask16 outside = 0;
      if (inside == 0xffff) {
        packed = Interpolate16(top_row, bottom_row, pixel_offset, x, y);
      } else {
        if (fill_outside) {
          // ix < -1 or iy < -1 or ix > w - 1 or iy > h - 1, per 16-bit lane.
          const __mmask32 beyond = _mm512_cmpgt_epi16_mask(minus_one, pair) |
                                   _mm512_cmpgt_epi16_mask(pair, last_xy);
          outside = static_cast<__mmask16>(_pext_u32(beyond | beyond >> 1, 0x55555555u));
        }
        if ((inside & active) == 0) {
          packed = fill_packed;
        } else {
          // Lanes that are not inside read the image's first pixels instead.
          const __m512i value = Interpolate16(
              top_row, bottom_row, _mm512_maskz_mov_epi32(inside, pixel_offset), x, y);
          // Pixel 4 l + s is byte 16 l + 4 k + s of channel k.
          const uint64_t slots = _pdep_u64(inside, 0x000f000f000f000full);
          packed = _mm512_mask_mov_epi8(fill_packed, slots | slots << 4 | slots << 8, value);
        }
      }
      const __m512i bytes =
          _mm512_maskz_compress_epi32(0x7777, _mm512_shuffle_epi8(packed, interleave));
      const __mmask64 store = count == 16 ? ~0ull >> 16 : (1ull << (3 * count)) - 1;
      _mm512_mask_storeu_epi8(out + 3 * first, store, bytes);
      if ((inside & active) != active) {
        edges = AppendLanes(active & ~(inside | outside), first, edges);
      }
    }
  }
  return static_cast<int>(edges - edges_begin);
}

#undef CAFFE_TAP_CONTROL512
#undef CAFFE_TAP_CONTROL
#undef CAFFE_TAPS

#pragma GCC diagnostic pop

#undef CAFFE_TARGET_AVX2
#undef CAFFE_TARGET_AVX512

}  // namespace

std::atomic<WarpIsa>& WarpIsaSetting() {
  static std::atomic<WarpIsa> setting{BestWarpIsa()};
  return setting;
}

WideBilinear3 ChosenWideKernel(const FixedBilinear& f) {
  // The 16-bit coordinate pairs hold the stride and the height.
  const bool fits = f.stride <= 32767 && f.h <= 32767;
  switch (WarpIsaSetting().load(std::memory_order_relaxed)) {
    case WarpIsa::kAvx512:
      return fits ? WideBilinear3Avx512 : nullptr;
    case WarpIsa::kAvx2:
      return fits ? WideBilinear3Avx2 : nullptr;
    default:
      return nullptr;
  }
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe

#endif  // CAFFE_WARP_WIDE_KERNELS
