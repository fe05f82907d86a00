// The oneDNN layers' reorders between Caffe's plain layout and the packed
// ones (channel blocks of 16, channels last): the fast kernels against the
// reference loops and against oneDNN's own reorder, bit for bit, packing,
// unpacking and unpacking onto existing values (accumulation), over channel
// counts and spatial sizes that leave partial groups and partial tiles.
#include <gtest/gtest.h>

#ifdef CAFFE_HAVE_ONEDNN
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "caffe/dnnl/channel_packing.hpp"
#include "caffe/dnnl/dnnl_context.hpp"

namespace caffe {
namespace dnnl_support {
namespace {

std::vector<float> Random(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-4, 4);
  std::vector<float> values(count);
  for (float& v : values) v = uniform(rng);
  if (count > 3) values[count / 3] = std::nanf("");  // moved as bits, like any value
  return values;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void Reorder(const memory::desc& from, const float* in, const memory::desc& to, float* out,
             bool accumulate) {
  dnnl::primitive_attr attr;
  if (accumulate) {
    dnnl::post_ops sum;
    sum.append_sum(1.0f);
    attr.set_post_ops(sum);
  }
  memory source = Wrap(from, in), destination = Wrap(to, out);
  dnnl::reorder(source, destination, attr).execute(ThreadStream(), source, destination);
}

TEST(ChannelPacking, FastKernelsReferenceAndOneDnnAgreeBitForBit) {
  const std::vector<Dims> shapes = {{2, 3, 4, 4},  {2, 16, 4, 4},  {3, 20, 12, 12}, {2, 50, 8, 8},
                                    {1, 17, 3, 5, 7}, {2, 33, 19},  {2, 64, 1, 1},   {1, 1, 5, 5},
                                    {2, 40, 17, 3}};
  const bool fast = HasFastChannelPacking();
  for (const Dims& dims : shapes) {
    for (Packing packing : {Packing::kBlocked16, Packing::kChannelsLast}) {
      SCOPED_TRACE(::testing::Message()
                   << "dims " << ::testing::PrintToString(dims) << ", "
                   << (packing == Packing::kBlocked16 ? "blocks of 16" : "channels last"));
      long spatial = 1;
      for (size_t i = 2; i < dims.size(); ++i) spatial *= dims[i];
      const PackedShape shape{static_cast<int>(dims[0]), static_cast<int>(dims[1]),
                              static_cast<int>(spatial), packing};
      const memory::desc plain_desc = PlainDesc(dims), packed_desc = PackedDesc(dims, packing);
      const size_t plain_count = plain_desc.get_size() / sizeof(float);
      const size_t packed_count = packed_desc.get_size() / sizeof(float);
      const std::vector<float> plain = Random(plain_count, 1);

      // Packing: the padding of the last block must come out 0, whatever was there.
      std::vector<float> by_reference(packed_count, 7.f), by_onednn(packed_count, 7.f);
      PackChannelsReference(shape, plain.data(), by_reference.data());
      Reorder(plain_desc, plain.data(), packed_desc, by_onednn.data(), false);
      EXPECT_TRUE(SameBits(by_reference, by_onednn)) << "pack: reference and oneDNN differ";
      if (fast) {
        std::vector<float> by_kernel(packed_count, 7.f);
        PackChannels(shape, plain.data(), by_kernel.data());
        EXPECT_TRUE(SameBits(by_reference, by_kernel)) << "pack: kernel and reference differ";
      }

      // Unpacking, plain and onto existing values.
      for (bool accumulate : {false, true}) {
        SCOPED_TRACE(accumulate ? "unpack, accumulating" : "unpack");
        const std::vector<float> start = Random(plain_count, 3);
        std::vector<float> ref_out = start, dnn_out = start;
        UnpackChannelsReference(shape, by_reference.data(), accumulate, ref_out.data());
        Reorder(packed_desc, by_reference.data(), plain_desc, dnn_out.data(), accumulate);
        EXPECT_TRUE(SameBits(ref_out, dnn_out)) << "reference and oneDNN differ";
        if (!accumulate) {
          EXPECT_TRUE(SameBits(ref_out, plain)) << "the round trip lost values";
        }
        if (fast) {
          std::vector<float> kernel_out = start;
          UnpackChannels(shape, by_reference.data(), accumulate, kernel_out.data());
          EXPECT_TRUE(SameBits(ref_out, kernel_out)) << "kernel and reference differ";
        }
      }
    }
  }
}

}  // namespace
}  // namespace dnnl_support
}  // namespace caffe
#endif
