// L2 normalisation of vectors laid out along one axis, shared by the
// Normalize and TripletLoss layers. Internal: not part of the public API.
//
// Data is viewed as outer x channels x inner; each of the outer * inner
// vectors (stride `inner`) is scaled to y = x / sqrt(|x|^2 + eps).
#pragma once

#include <cmath>

namespace caffe {

// Writes y and, per vector, norm = sqrt(|x|^2 + eps). y may be x.
template <typename Dtype>
void L2NormalizeForward(int outer, int channels, int inner, Dtype eps, const Dtype* x, Dtype* y,
                        Dtype* norms) {
  for (int o = 0; o < outer; ++o) {
    for (int i = 0; i < inner; ++i) {
      const int base = o * channels * inner + i;
      Dtype sum_sq = 0;
      for (int c = 0; c < channels; ++c) sum_sq += x[base + c * inner] * x[base + c * inner];
      const Dtype norm = std::sqrt(sum_sq + eps);
      norms[o * inner + i] = norm;
      for (int c = 0; c < channels; ++c) y[base + c * inner] = x[base + c * inner] / norm;
    }
  }
}

// Given y and the norms from the forward pass, maps dy to
//   dx = (dy - y * (y . dy)) / norm,
// the exact gradient of x / sqrt(|x|^2 + eps). dx may be dy.
template <typename Dtype>
void L2NormalizeBackward(int outer, int channels, int inner, const Dtype* y, const Dtype* norms,
                         const Dtype* dy, Dtype* dx) {
  for (int o = 0; o < outer; ++o) {
    for (int i = 0; i < inner; ++i) {
      const int base = o * channels * inner + i;
      Dtype dot = 0;
      for (int c = 0; c < channels; ++c) dot += y[base + c * inner] * dy[base + c * inner];
      const Dtype norm = norms[o * inner + i];
      for (int c = 0; c < channels; ++c) {
        const int at = base + c * inner;
        dx[at] = (dy[at] - y[at] * dot) / norm;
      }
    }
  }
}

}  // namespace caffe
