// Moving activations between Caffe's plain layout (n, c, spatial...) and the
// two packed layouts oneDNN's convolutions run on: channel blocks of 16
// (nChw16c: n, c / 16, spatial..., 16) and channels last (nhwc: n,
// spatial..., c). These are the reorders around every packed primitive.
// Internal to the oneDNN layers.
//
// oneDNN's own reorder ("jit:uni") moves these at a few GB/s; LeNet's
// convolutions spent about a fifth of a training step in it. The AVX-512
// kernels here transpose 16 x 16 tiles in registers. They compute the same
// values as the reference loops (pure data movement, and x + y when
// accumulating), which tests/cpp/test_channel_packing.cpp checks against
// the references and oneDNN's reorder. Stateless; the fast kernels split
// their work over the calling thread's OpenMP threads.
#pragma once

namespace caffe {
namespace dnnl_support {

enum class Packing { kBlocked16, kChannelsLast };

struct PackedShape {
  int num, channels, spatial;  // spatial: the product of the axes after c
  Packing packing;
};

// packed = plain; with kBlocked16 the padding channels of the last block are
// set to 0 (oneDNN's kernels read them).
void PackChannelsReference(const PackedShape& s, const float* plain, float* packed);
// plain = packed (plain += packed when accumulating).
void UnpackChannelsReference(const PackedShape& s, const float* packed, bool accumulate,
                             float* plain);

// True when this CPU has the fast kernels (AVX-512 F).
bool HasFastChannelPacking();
// The same as the references through the fast kernels: only when
// HasFastChannelPacking().
void PackChannels(const PackedShape& s, const float* plain, float* packed);
void UnpackChannels(const PackedShape& s, const float* packed, bool accumulate, float* plain);

}  // namespace dnnl_support
}  // namespace caffe
