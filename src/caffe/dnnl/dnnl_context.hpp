// Internal to the oneDNN layers: the CPU engine, the calling thread's stream
// and thread count, and Operand, which moves one primitive argument between
// Caffe's plain row-major layout and the layout the primitive chose.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "caffe/dnnl/channel_packing.hpp"

namespace caffe {
namespace dnnl_support {

using dnnl::memory;
using Dims = memory::dims;

// The process's CPU engine, created on first use (thread-safe).
const dnnl::engine& CpuEngine();
// The calling thread's stream on CpuEngine(). CPU streams run synchronously:
// a primitive's results are in place when execute() returns.
dnnl::stream& ThreadStream();

// Makes the primitives created and run next by the calling thread use
// caffe::BlasThreads() threads, and returns that count. oneDNN fixes a
// primitive's work split when it creates it, so a layer rebuilds its
// primitives when the count has changed since.
int UseBlasThreads();

// True when oneDNN runs its AVX-512 (avx512_core) kernels on this CPU.
bool OnednnUsesAvx512();
// f32 in Caffe's layout: row-major (nchw for 4 axes, oihw / goihw for weights).
memory::desc PlainDesc(const Dims& dims);
// f32 with 3 to 5 axes (n, c, spatial...) in a packed layout: channel blocks
// of 16 (nCw16c, nChw16c, nCdhw16c) or channels last (nwc, nhwc, ndhwc).
memory::desc PackedDesc(const Dims& dims, Packing packing);
// A memory on `desc` over caller-owned data (no copy; oneDNN does not free it).
memory Wrap(const memory::desc& desc, const float* data);
// f32 with 4 axes (n, c, h, w) in the channel-blocked layout that oneDNN's JIT
// kernels for memory-bound layers run on (nChw16c with AVX-512, else nChw8c):
// on the plain layout BatchNorm and LRN's backward pass fall back to much
// slower generic code, which costs more than two reorders.
memory::desc BlockedDesc(const Dims& dims);

// One argument of a primitive that the layer keeps in the plain layout
// `user`. When the primitive wants the same layout, the caller's buffer is
// passed through; otherwise the data goes through a buffer owned here, in the
// layout `wanted`, by reorder primitives made once in Init. An accumulating
// output (a parameter gradient, which Caffe sums over the bottoms and over
// iter_size iterations) always goes through the buffer and is added. Between
// the plain layout and nChw16c or channels last (1 to 3 spatial axes) the
// data move through channel_packing.hpp's kernels where the CPU has them.
class Operand {
 public:
  void Init(const memory::desc& user, const memory::desc& wanted, bool accumulates = false);
  const memory::desc& wanted() const { return wanted_; }
  // True when In() hands the primitive the caller's own buffer.
  bool passes_through() const { return !through_buffer(); }

  // The primitive's input holding `data`, reordered when needed.
  memory In(const float* data);
  // Where a primitive writes the output that belongs in `data`.
  memory Out(float* data);
  // After the primitive ran on Out(data): data = result (data += result
  // when accumulating).
  void WriteBack(float* data);

 private:
  bool through_buffer() const { return accumulates_ || !(user_ == wanted_); }

  memory::desc user_, wanted_;
  bool accumulates_ = false;
  memory buffer_;
  dnnl::reorder to_wanted_, to_user_;
  bool packing_ = false;  // user_ plain, wanted_ packed: our kernels move the data
  PackedShape packed_shape_{};
};

}  // namespace dnnl_support
}  // namespace caffe
