// Internal: the loops behind BatchNorm fused with its Scale and ReLU
// (DnnlBatchNormLayer::FuseScale), on Caffe's plain layout.
//
// oneDNN's batch normalization primitive computes the same group, but only
// on the channel-blocked layout at full speed, and the reorders into and out
// of it cost more passes over the blob than the normalisation itself (the
// blobs stay plain between layers). These are memory-bound loops, written so
// that the compiler vectorises them: forward, one pass for the statistics
// and one that writes the top (and keeps the bottom for the backward pass);
// backward, one pass for the two per-channel sums and one that writes the
// bottom diff. Channels are split over the calling thread's OpenMP threads.
//
// Blobs are num x channels x spatial, row-major. With `relu`, the ReLU's
// mask is recomputed from the kept bottom (a x + b > 0), exactly as the
// forward pass decided it. Thread-compatible (no state).
#pragma once

namespace caffe {
namespace fused_batch_norm {

struct Shape {
  int num, channels, spatial;
};

// The per-channel mean and biased variance of x.
void Statistics(const Shape& shape, const float* x, float* mean, float* variance);

// y = a[c] * x + b[c] (then max(0, .) with relu). When `saved` is not null x
// is copied there too; y may be x.
void Forward(const Shape& shape, const float* x, const float* a, const float* b, bool relu,
             float* saved, float* y);

// With g = dy (masked by the ReLU with relu): per channel, sum_g = sum of g
// and sum_gx = sum of g * (x - mean).
void Reduce(const Shape& shape, const float* dy, const float* x, const float* a, const float* b,
            const float* mean, bool relu, double* sum_g, double* sum_gx);

// dx = a[c] * g + k0[c] + k1[c] * (x - mean[c]); dx may be dy.
void BackwardData(const Shape& shape, const float* dy, const float* x, const float* a,
                  const float* b, const float* mean, const float* k0, const float* k1, bool relu,
                  float* dx);

}  // namespace fused_batch_norm
}  // namespace caffe
