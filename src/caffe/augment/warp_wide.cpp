// The AVX2 and AVX-512 kernels of the fixed-point bilinear warp.
// Eight (AVX2) or sixteen (AVX-512) three-channel output pixels per step, one
// pixel per 32-bit lane. Lanes inside Bilinear3Sse's reach get exactly its
// arithmetic: taps scaled by 64, lerp(a, b, f15) = a + ((2 (b - a) f15) >>
// 16) (madd_epi16 of the 16-bit difference with the fraction, high halves
// zero, is that product), (v + 32) >> 6. Lanes wholly outside under ZEROS
// padding get the fill, and the few others go through EdgePixel, as in the
// pixel loop. So every ISA writes the same bytes.
// Each pixel's two source rows are gathered as dwords [a0 a1 a2 b0] at the
// left tap and [a2 b0 b1 b2] two bytes on, which read nothing past b2.
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

// A pshufb control that moves byte `byte` of each of the four dwords of a
// 128-bit lane into 16-bit lane `slot` + j (zero-extended), zeroing the rest.
constexpr int8_t kZero = -128;
inline __m128i TapControl(int byte, int slot) {
  alignas(16) int8_t control[16];
  for (int b = 0; b < 16; ++b) control[b] = kZero;
  for (int j = 0; j < 4; ++j) control[2 * (slot + j)] = static_cast<int8_t>(4 * j + byte);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(control));
}

// The 128-bit pshufb controls of both kernels.
struct LaneControls {
  __m128i left[3], right[3];  // channel k: left tap from [a0 a1 a2 b0], right from [a2 b0 b1 b2]
  __m128i fraction;  // the low 16 bits of each dword to 16-bit lanes j and 4 + j
  __m128i red_green, blue;  // [r0 g0 r1 g1 ...] and [b0 . b1 . ...] to [r0 g0 b0 r1 g1 b1 ...]
};

LaneControls MakeLaneControls() {
  LaneControls c;
  for (int k = 0; k < 3; ++k) {
    c.left[k] = TapControl(k, 0);
    c.right[k] = TapControl(k + 1, 4);
  }
  c.fraction = _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13);
  c.red_green = _mm_setr_epi8(0, 1, kZero, 2, 3, kZero, 4, 5, kZero, 6, 7, kZero, kZero, kZero,
                              kZero, kZero);
  c.blue = _mm_setr_epi8(kZero, kZero, 0, kZero, kZero, 2, kZero, kZero, 4, kZero, kZero, 6, kZero,
                         kZero, kZero, kZero);
  return c;
}

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
  const __m256i fill = _mm256_set1_epi64x(
      static_cast<int64_t>(f.fill8[0] * 0x01010101u | static_cast<uint64_t>(f.fill8[1]) * 0x0101010100000000u));
  const __m256i fill_packed = _mm256_unpacklo_epi64(
      fill, _mm256_set1_epi32(static_cast<int>(f.fill8[2] * 0x01010101u)));
  const uint8_t* const top_row = f.src;
  const uint8_t* const bottom_row = f.src + f.stride;
  // Locals: the byte stores below may alias any field, which would be
  // reloaded after each of them.
  const int32_t step_x = f.step_x, step_y = f.step_y, n = span.n;
  const bool fill_outside = f.fill_outside;
  uint8_t* const out_row = span.out;
  alignas(32) int32_t offset[8];
  int32_t X = span.X, Y = span.Y;
  __m256i x = _mm256_add_epi32(_mm256_set1_epi32(X),
                               _mm256_mullo_epi32(lanes, _mm256_set1_epi32(step_x)));
  __m256i y = _mm256_add_epi32(_mm256_set1_epi32(Y),
                               _mm256_mullo_epi32(lanes, _mm256_set1_epi32(step_y)));
  for (int first = 0; first < n; first += 8, X += 8 * step_x, Y += 8 * step_y,
           x = _mm256_add_epi32(x, step_x8), y = _mm256_add_epi32(y, step_y8)) {
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
  return static_cast<int>(edges - edges_begin);
}

#undef CAFFE_TAP_CONTROL
#undef CAFFE_TAPS

// GCC 12 reports the AVX-512 intrinsics' own undefined pass-through operands.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

struct Avx512Controls {
  __m512i left[3], right[3], fraction, red_green, blue;
};

CAFFE_TARGET_AVX512 Avx512Controls MakeAvx512Controls() {
  const LaneControls lane = MakeLaneControls();
  Avx512Controls c;
  for (int k = 0; k < 3; ++k) {
    c.left[k] = _mm512_broadcast_i32x4(lane.left[k]);
    c.right[k] = _mm512_broadcast_i32x4(lane.right[k]);
  }
  c.fraction = _mm512_broadcast_i32x4(lane.fraction);
  c.red_green = _mm512_broadcast_i32x4(lane.red_green);
  c.blue = _mm512_broadcast_i32x4(lane.blue);
  return c;
}

CAFFE_TARGET_AVX512 inline __m512i Lerp16(__m512i a, __m512i b, __m512i f15) {
  const __m512i d = _mm512_sub_epi16(b, a);
  return _mm512_add_epi16(a, _mm512_mulhi_epi16(_mm512_add_epi16(d, d), f15));
}

// Channel k of the four pixels of each 128-bit lane, in 16-bit lanes 0-3.
CAFFE_TARGET_AVX512 inline __m512i Channel16(const Avx512Controls& c, int k, __m512i top0,
                                             __m512i top1, __m512i bottom0, __m512i bottom1,
                                             __m512i fx, __m512i fy) {
  const __m512i top = _mm512_slli_epi16(
      _mm512_or_si512(_mm512_shuffle_epi8(top0, c.left[k]), _mm512_shuffle_epi8(top1, c.right[k])),
      6);
  const __m512i bottom = _mm512_slli_epi16(_mm512_or_si512(_mm512_shuffle_epi8(bottom0, c.left[k]),
                                                           _mm512_shuffle_epi8(bottom1, c.right[k])),
                                           6);
  const __m512i columns = Lerp16(top, bottom, fy);  // left in lanes 0-3, right in 4-7
  const __m512i value = Lerp16(columns, _mm512_bsrli_epi128(columns, 8), fx);
  return _mm512_srai_epi16(_mm512_add_epi16(value, _mm512_set1_epi16(32)), 6);
}

CAFFE_TARGET_AVX512 int WideBilinear3Avx512(const FixedBilinear& f, const RowSpan& span,
                                           int* edges) {
  int* const edges_begin = edges;
  const Avx512Controls controls = MakeAvx512Controls();
  const __m512i lanes =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i lane_x = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(f.step_x));
  const __m512i lane_y = _mm512_mullo_epi32(lanes, _mm512_set1_epi32(f.step_y));
  const __m512i max_ix = _mm512_set1_epi32(static_cast<int>(f.max_ix_sse));
  const __m512i max_iy = _mm512_set1_epi32(static_cast<int>(f.max_iy));
  const __m512i minus_one = _mm512_set1_epi32(-1);
  const __m512i width = _mm512_set1_epi32(f.w), height = _mm512_set1_epi32(f.h);
  const __m512i stride = _mm512_set1_epi32(static_cast<int>(f.stride));
  const __m512i fill_red_green = _mm512_set1_epi16(static_cast<int16_t>(f.fill8[0] | f.fill8[1] << 8));
  const __m512i fill_blue = _mm512_set1_epi16(f.fill8[2]);
  const int* src = reinterpret_cast<const int*>(f.src);
  const int* src_right = reinterpret_cast<const int*>(f.src + 2);
  const int* below = reinterpret_cast<const int*>(f.src + f.stride);
  const int* below_right = reinterpret_cast<const int*>(f.src + f.stride + 2);
  // Locals: the byte stores below may alias any field, which would be
  // reloaded after each of them.
  const int32_t step_x = f.step_x, step_y = f.step_y, n = span.n;
  const bool fill_outside = f.fill_outside;
  uint8_t* const out = span.out;
  int32_t X = span.X, Y = span.Y;
  for (int first = 0; first < n; first += 16, X += 16 * step_x, Y += 16 * step_y) {
    const int count = std::min(16, n - first);
    const __mmask16 active = static_cast<__mmask16>((1u << count) - 1);
    const __m512i x = _mm512_add_epi32(_mm512_set1_epi32(X), lane_x);
    const __m512i y = _mm512_add_epi32(_mm512_set1_epi32(Y), lane_y);
    const __m512i ix = _mm512_srai_epi32(x, kFracBits);
    const __m512i iy = _mm512_srai_epi32(y, kFracBits);
    const __mmask16 inside =
        _mm512_mask_cmplt_epu32_mask(_mm512_mask_cmplt_epu32_mask(active, ix, max_ix), iy,
                                     max_iy);
    const __mmask16 outside =
        fill_outside ? static_cast<__mmask16>(
                           (_mm512_cmplt_epi32_mask(ix, minus_one) |
                            _mm512_cmplt_epi32_mask(iy, minus_one) |
                            _mm512_cmpge_epi32_mask(ix, width) |
                            _mm512_cmpge_epi32_mask(iy, height)) & active)
                     : static_cast<__mmask16>(0);
    PrefetchAhead(f, X, Y);
    PrefetchAhead(f, X + 8 * step_x, Y + 8 * step_y);
    __m512i red_green = fill_red_green, blue = fill_blue;
    if (inside != 0) {
      const __m512i offset = _mm512_add_epi32(_mm512_mullo_epi32(iy, stride),
                                              _mm512_add_epi32(ix, _mm512_add_epi32(ix, ix)));
      const __m512i none = _mm512_setzero_si512();
      // Lanes that are not inside read nothing.
      const __m512i top0 = _mm512_mask_i32gather_epi32(none, inside, offset, src, 1);
      const __m512i top1 = _mm512_mask_i32gather_epi32(none, inside, offset, src_right, 1);
      const __m512i bottom0 = _mm512_mask_i32gather_epi32(none, inside, offset, below, 1);
      const __m512i bottom1 = _mm512_mask_i32gather_epi32(none, inside, offset, below_right, 1);
      // The 15-bit fractions, in 16-bit lanes j and 4 + j.
      const __m512i fx = _mm512_shuffle_epi8(_mm512_srli_epi32(_mm512_slli_epi32(x, 16), 17),
                                             controls.fraction);
      const __m512i fy = _mm512_shuffle_epi8(_mm512_srli_epi32(_mm512_slli_epi32(y, 16), 17),
                                             controls.fraction);
      const __m512i r = Channel16(controls, 0, top0, top1, bottom0, bottom1, fx, fy);
      const __m512i g = Channel16(controls, 1, top0, top1, bottom0, bottom1, fx, fy);
      const __m512i b = Channel16(controls, 2, top0, top1, bottom0, bottom1, fx, fy);
      // Pixel 4 l + j of the group is 16-bit lane 8 l + j.
      const __mmask32 computed = static_cast<__mmask32>(_pdep_u32(inside, 0x0f0f0f0fu));
      red_green = _mm512_mask_mov_epi16(red_green, computed,
                                        _mm512_or_si512(r, _mm512_slli_epi16(g, 8)));
      blue = _mm512_mask_mov_epi16(blue, computed, b);
    }
    const __m512i bytes = _mm512_maskz_compress_epi32(
        0x7777, _mm512_or_si512(_mm512_shuffle_epi8(red_green, controls.red_green),
                                _mm512_shuffle_epi8(blue, controls.blue)));
    const __mmask64 store = count == 16 ? ~0ull >> 16 : (1ull << (3 * count)) - 1;
    _mm512_mask_storeu_epi8(out + 3 * first, store, bytes);
    edges = AppendLanes(active & ~(inside | outside), first, edges);
  }
  return static_cast<int>(edges - edges_begin);
}

#pragma GCC diagnostic pop

#undef CAFFE_TARGET_AVX2
#undef CAFFE_TARGET_AVX512

}  // namespace

std::atomic<WarpIsa>& WarpIsaSetting() {
  static std::atomic<WarpIsa> setting{BestWarpIsa()};
  return setting;
}

WideBilinear3 ChosenWideKernel(const FixedBilinear& f) {
  switch (WarpIsaSetting().load(std::memory_order_relaxed)) {
    case WarpIsa::kAvx512:
      return WideBilinear3Avx512;
    case WarpIsa::kAvx2:
      // Its 16-bit coordinate pairs need the stride and the height in int16.
      return f.stride <= 32767 && f.h <= 32767 ? WideBilinear3Avx2 : nullptr;
    default:
      return nullptr;
  }
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe

#endif  // CAFFE_WARP_WIDE_KERNELS
