// SyncedMemory: an owned, zero-initialised byte buffer behind a Blob.
//
// It tracks where the freshest copy lives (head()) so that a device copy can
// be added later without touching any layer: layers only ever ask for
// cpu_data()/mutable_cpu_data(). A buffer may instead wrap caller-owned memory
// (set_cpu_data), which it then never frees.
//
// Not thread-safe: one owner at a time (data layers hand whole batches between
// threads through queues).
#pragma once

#include <cstddef>

#include "caffe/common.hpp"

namespace caffe {

class SyncedMemory {
 public:
  enum SyncedHead { UNINITIALIZED, HEAD_AT_CPU };

  SyncedMemory() : SyncedMemory(0) {}
  explicit SyncedMemory(size_t size) : size_(size) {}
  ~SyncedMemory();
  DISABLE_COPY_AND_ASSIGN(SyncedMemory);

  const void* cpu_data();
  void* mutable_cpu_data();
  // Points at external memory that must outlive this object.
  void set_cpu_data(void* data);
  SyncedHead head() const { return head_; }
  size_t size() const { return size_; }

 private:
  void to_cpu();

  void* cpu_ptr_ = nullptr;
  size_t size_;
  SyncedHead head_ = UNINITIALIZED;
  bool own_cpu_data_ = false;
};

}  // namespace caffe
