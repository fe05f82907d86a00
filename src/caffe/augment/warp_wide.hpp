// The fixed-point bilinear warp's shared pieces and its AVX2 / AVX-512
// kernels, chosen at run time (warp_wide.cpp). Internal to the augmentation
// engine: used by warp.cpp and warp_wide.cpp only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "caffe/augment/kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define CAFFE_WARP_WIDE_KERNELS 1
#endif

namespace caffe {
namespace augment {
namespace internal {

constexpr int kFracBits = 16;  // fixed-point source coordinates
// Along a row the 16.16 source point advances by a rounded step; it is
// rounded afresh from the exact point at every multiple of kSegment output
// pixels, so the step's error stays under kSegment / 2^17 pixels. Every
// kernel starts its segments at the same pixels and so computes the same
// points.
constexpr int kSegment = 64;

// std::lround (halves away from zero) for |v| < 2^31, without the libm call.
inline int32_t RoundToInt32(double v) {
  const int64_t truncated = static_cast<int64_t>(v);
  const double rest = v - static_cast<double>(truncated);  // exact
  return static_cast<int32_t>(truncated + (rest >= 0.5) - (rest <= -0.5));
}

// The 16.16 source coordinate of pixel u of a row, row + slope u exactly:
// rounded at the start of u's segment, then stepped.
inline int32_t FixedCoordinate(double row, double slope, int32_t step, int u) {
  const int start = u - u % kSegment;
  return RoundToInt32((row + slope * start) * (1 << kFracBits)) + (u - start) * step;
}

// What a pixel of the fixed-point bilinear path needs beyond its
// coordinates: the pixel loop (warp.cpp) and the wide kernels read it.
struct FixedBilinear {
  const WarpJob* job;
  const uint8_t* src;
  size_t stride;  // bytes per source row
  int w, h;
  unsigned max_ix, max_iy;        // exclusive bounds of the left/top tap
  unsigned max_ix_sse;            // the same for Bilinear3Sse, which reads 2 bytes further
  int32_t step_x, step_y;         // 16.16 source step per output pixel
  bool fill_outside;              // padding ZEROS
  const uint8_t* fill8;           // per channel
};

#ifdef CAFFE_WARP_WIDE_KERNELS
// Pixels u0 .. u0 + n - 1 of an output row, u0 a multiple of kSegment:
// pixel u0 + kSegment s + i is at 16.16 source point (start[2 s] + i step_x,
// start[2 s + 1] + i step_y), as FixedCoordinate says. (Integers, not the
// row's doubles: doubles held through the kernels' loops would take vector
// registers.)
struct RowSpan {
  const int32_t* start;
  int n;
  uint8_t* out;
};

// Writes the span's pixels but the edge ones, whose indices in the span it
// stores in `edges` (room for span.n) and counts in its result: the caller
// runs EdgePixel on them once the kernel has returned, because SSE code
// called from AVX-512 code with dirty upper registers runs many times slower.
typedef int (*WideBilinear3)(const FixedBilinear& f, const RowSpan& span, int* edges);

// The wide kernel of the ISA in use (SetWarpIsa; BestWarpIsa() by default)
// for the image `f` describes, or null for SSE2, which has none, and when
// the image is over 32767 rows or bytes wide (the kernels hold coordinates
// and the stride in 16 bits).
WideBilinear3 ChosenWideKernel(const FixedBilinear& f);
// The ISA in use, behind SetWarpIsa and CurrentWarpIsa.
std::atomic<WarpIsa>& WarpIsaSetting();
#endif  // CAFFE_WARP_WIDE_KERNELS

}  // namespace internal
}  // namespace augment
}  // namespace caffe
