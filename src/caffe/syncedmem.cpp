#include "caffe/syncedmem.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace caffe {

namespace {
// 64-byte alignment lets vectorised kernels use aligned loads on every buffer.
constexpr size_t kAlignment = 64;
}  // namespace

SyncedMemory::~SyncedMemory() {
  if (cpu_ptr_ && own_cpu_data_) std::free(cpu_ptr_);
}

void SyncedMemory::to_cpu() {
  if (head_ != UNINITIALIZED) return;
  const size_t rounded = ((size_ + kAlignment - 1) / kAlignment) * kAlignment;
  cpu_ptr_ = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!cpu_ptr_) throw std::bad_alloc();
  std::memset(cpu_ptr_, 0, size_);
  own_cpu_data_ = true;
  head_ = HEAD_AT_CPU;
}

const void* SyncedMemory::cpu_data() {
  to_cpu();
  return cpu_ptr_;
}

void* SyncedMemory::mutable_cpu_data() {
  to_cpu();
  return cpu_ptr_;
}

void SyncedMemory::set_cpu_data(void* data) {
  CHECK(data);
  if (cpu_ptr_ && own_cpu_data_) std::free(cpu_ptr_);
  cpu_ptr_ = data;
  head_ = HEAD_AT_CPU;
  own_cpu_data_ = false;
}

}  // namespace caffe
