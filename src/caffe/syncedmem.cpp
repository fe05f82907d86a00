#include "caffe/syncedmem.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace caffe {

namespace {
// 64-byte alignment lets vectorised kernels use aligned loads on every buffer.
constexpr size_t kAlignment = 64;

double PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * page_size : 0;
}
}  // namespace

SyncedMemory::~SyncedMemory() {
  if (cpu_ptr_ && own_cpu_data_) std::free(cpu_ptr_);
}

void SyncedMemory::to_cpu() {
  if (head_ != UNINITIALIZED) return;
  // A buffer larger than the machine's memory can only fail; with memory
  // overcommit the allocation might even succeed and the zeroing below would
  // bring in the out-of-memory killer instead of an error.
  const double memory = PhysicalMemoryBytes();
  CAFFE_REQUIRE(memory == 0 || static_cast<double>(size_) <= memory, OutOfMemoryError,
                "cannot allocate ", HumanBytes(static_cast<double>(size_)),
                ": more than this machine's memory (", HumanBytes(memory), ")");
  const size_t rounded = ((size_ + kAlignment - 1) / kAlignment) * kAlignment;
  cpu_ptr_ = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  CAFFE_REQUIRE(cpu_ptr_, OutOfMemoryError, "cannot allocate ",
                HumanBytes(static_cast<double>(size_)), ": the allocation failed");
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
