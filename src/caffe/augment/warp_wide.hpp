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
// Pixels u0 .. u0 + n - 1 of an output row, the first at 16.16 source point
// (X, Y); the row's pixel u is exactly at (m[0] u + row_x, m[3] u + row_y).
struct RowSpan {
  int32_t X, Y;
  double row_x, row_y;
  int u0, n;
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
