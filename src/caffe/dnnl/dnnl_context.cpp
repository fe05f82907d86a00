#include "caffe/dnnl/dnnl_context.hpp"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

#include "caffe/util/blas_threads.hpp"

namespace caffe {
namespace dnnl_support {

const dnnl::engine& CpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream stream(CpuEngine());
  return stream;
}

int UseBlasThreads() {
  const int threads = BlasThreads();
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  // An OpenMP thread count belongs to the thread that sets it: every thread
  // that runs layers (the solver's, a Python caller's) sets its own.
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
#endif
  return threads;
}

memory::desc PlainDesc(const Dims& dims) {
  // Row-major strides: the layout of a Caffe blob with these axes.
  Dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * dims[i + 1];
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

bool OnednnUsesAvx512() {
  // ISA values are bit sets: each includes the bits of the ones it extends.
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512_core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512_core) == avx512_core;
}

memory::desc BlockedDesc(const Dims& dims) {
  return memory::desc(dims, memory::data_type::f32,
                      OnednnUsesAvx512() ? memory::format_tag::nChw16c
                                         : memory::format_tag::nChw8c);
}

memory::desc PackedDesc(const Dims& dims, Packing packing) {
  using tag = memory::format_tag;
  static const tag kBlocked16[] = {tag::aBc16b, tag::aBcd16b, tag::aBcde16b};
  static const tag kChannelsLast[] = {tag::acb, tag::acdb, tag::acdeb};
  const tag* tags = packing == Packing::kBlocked16 ? kBlocked16 : kChannelsLast;
  return memory::desc(dims, memory::data_type::f32, tags[dims.size() - 3]);
}

memory Wrap(const memory::desc& desc, const float* data) {
  return memory(desc, CpuEngine(), const_cast<float*>(data));
}

void Operand::Init(const memory::desc& user, const memory::desc& wanted, bool accumulates) {
  user_ = user;
  wanted_ = wanted;
  accumulates_ = accumulates;
  to_wanted_ = dnnl::reorder();
  to_user_ = dnnl::reorder();
  buffer_ = through_buffer() ? memory(wanted_, CpuEngine()) : memory();
  packing_ = false;
  const Dims dims = user_.dims();
  if (dims.size() < 3 || dims.size() > 5 || !HasFastChannelPacking() ||
      !(user_ == PlainDesc(dims))) {
    return;
  }
  long spatial = 1;
  for (size_t i = 2; i < dims.size(); ++i) spatial *= dims[i];
  for (Packing packing : {Packing::kBlocked16, Packing::kChannelsLast}) {
    if (wanted_ == PackedDesc(dims, packing)) {
      packing_ = true;
      packed_shape_ = {static_cast<int>(dims[0]), static_cast<int>(dims[1]),
                       static_cast<int>(spatial), packing};
      return;
    }
  }
}

memory Operand::In(const float* data) {
  memory user = Wrap(user_, data);
  if (user_ == wanted_) return user;
  if (packing_) {
    PackChannels(packed_shape_, data, static_cast<float*>(buffer_.get_data_handle()));
    return buffer_;
  }
  if (!to_wanted_) to_wanted_ = dnnl::reorder(user, buffer_);
  to_wanted_.execute(ThreadStream(), user, buffer_);
  return buffer_;
}

memory Operand::Out(float* data) { return through_buffer() ? buffer_ : Wrap(user_, data); }

void Operand::WriteBack(float* data) {
  if (!through_buffer()) return;
  if (packing_) {
    UnpackChannels(packed_shape_, static_cast<const float*>(buffer_.get_data_handle()),
                   accumulates_, data);
    return;
  }
  memory user = Wrap(user_, data);
  if (!to_user_) {
    dnnl::primitive_attr attr;
    if (accumulates_) {
      dnnl::post_ops sum;
      sum.append_sum(1.0f);
      attr.set_post_ops(sum);
    }
    to_user_ = dnnl::reorder(buffer_, user, attr);
  }
  to_user_.execute(ThreadStream(), buffer_, user);
}

}  // namespace dnnl_support
}  // namespace caffe
