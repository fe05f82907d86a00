#include "caffe/util/worker_pool.hpp"

namespace caffe {

WorkerPool::WorkerPool(int workers) : workers_(workers) {
  CHECK_GE(workers, 1);
  if (workers_ == 1) return;
  threads_.reserve(workers_);
  for (int worker = 0; worker < workers_; ++worker) {
    threads_.emplace_back(&WorkerPool::WorkerLoop, this, worker);
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::ParallelFor(int count, const std::function<void(int, int)>& body) {
  if (count <= 0) return;
  if (workers_ == 1) {
    std::exception_ptr first_error;
    for (int index = 0; index < count; ++index) {
      try {
        body(index, 0);
      } catch (...) {
        if (!first_error) first_error = std::current_exception();
      }
    }
    if (first_error) std::rethrow_exception(first_error);
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  body_ = &body;
  count_ = count;
  next_index_ = 0;
  finished_ = 0;
  errors_.assign(count, nullptr);
  ++generation_;
  work_ready_.notify_all();
  work_done_.wait(lock, [this] { return finished_ == count_; });
  body_ = nullptr;
  for (const std::exception_ptr& error : errors_) {
    if (error) std::rethrow_exception(error);
  }
}

void WorkerPool::RunIndices(std::unique_lock<std::mutex>* lock, int worker) {
  while (next_index_ < count_) {
    const int index = next_index_++;
    lock->unlock();
    std::exception_ptr error;
    try {
      (*body_)(index, worker);
    } catch (...) {
      error = std::current_exception();
    }
    lock->lock();
    errors_[index] = error;
    if (++finished_ == count_) work_done_.notify_one();
  }
}

void WorkerPool::WorkerLoop(int worker) {
  uint64_t seen_generation = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
    if (stopping_) return;
    seen_generation = generation_;
    RunIndices(&lock, worker);
  }
}

}  // namespace caffe
