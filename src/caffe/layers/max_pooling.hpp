// MAX pooling's forward kernel over whole planes, for PoolingLayer (and its
// oneDNN subclass, which runs MAX on this path). Internal to the library.
//
// Every function here computes, for each output, the maximum of its window
// clipped to the image, scanning the window row by row and keeping the first
// input that is strictly greater than everything before it (upstream's rule:
// start from -FLT_MAX, compare with >, so NaN is never selected and an
// all-NaN window gives -FLT_MAX with index -1). `selected` receives the flat
// index h * width + w of the chosen input within its plane.
//
// MaxPoolReference is the slow, obviously-correct loop. The kernels of
// PoolIsa take sixteen (AVX-512) or eight (AVX2) outputs of a plane at a
// time, whatever rows they are on, and gather each window cell for all of
// them; they write the same bits as the reference
// (tests/cpp/test_pooling_layers.cpp compares them). Stateless: safe to call
// from any number of threads on different outputs.
#pragma once

namespace caffe {
namespace internal {

struct PoolGeometry {
  int height, width;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int pad_h, pad_w;
  int pooled_height, pooled_width;
};

// `planes` consecutive planes of height x width in, pooled_height x
// pooled_width out and selected.
template <typename Dtype>
void MaxPoolReference(const PoolGeometry& g, int planes, const Dtype* in, Dtype* out,
                      int* selected);

enum class PoolIsa { kScalar, kAvx2, kAvx512 };
// The widest this CPU runs (kAvx512 needs AVX-512 F).
PoolIsa BestPoolIsa();
// With a given kernel, for tests; false (and nothing written) when the CPU
// lacks the ISA. Double precision always runs the reference.
bool MaxPoolPlanesWith(PoolIsa isa, const PoolGeometry& g, int planes, const float* in,
                       float* out, int* selected);
// With the best kernel for this CPU.
template <typename Dtype>
void MaxPoolPlanes(const PoolGeometry& g, int planes, const Dtype* in, Dtype* out,
                   int* selected);

}  // namespace internal
}  // namespace caffe
