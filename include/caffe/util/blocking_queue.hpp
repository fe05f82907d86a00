// BlockingQueue<T>: an unbounded FIFO shared by producer and consumer threads.
//
// pop()/peek() block while the queue is empty. When called on an
// InternalThread whose stop was requested they throw ThreadInterrupted
// instead of waiting forever, which is how background threads are stopped.
// A bounded pipeline is built from two queues (free and full) circulating a
// fixed set of buffers, as the data layers do.
//
// Thread-safety: every member may be called concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

#include "caffe/util/internal_thread.hpp"

namespace caffe {

template <typename T>
class BlockingQueue {
 public:
  BlockingQueue() = default;
  DISABLE_COPY_AND_ASSIGN(BlockingQueue);

  void push(T item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(item));
    }
    condition_.notify_one();
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
  }

  bool try_pop(T* item) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.empty()) return false;
    *item = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

  // `waiting_message` is logged once if the call has to wait.
  T pop(const string& waiting_message = "") {
    std::unique_lock<std::mutex> lock(mutex_);
    WaitForItem(&lock, waiting_message);
    T item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }

  bool try_peek(T* item) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.empty()) return false;
    *item = queue_.front();
    return true;
  }

  // A copy of the front item, left in the queue.
  T peek() {
    std::unique_lock<std::mutex> lock(mutex_);
    WaitForItem(&lock, "");
    return queue_.front();
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.size();
  }

 private:
  void WaitForItem(std::unique_lock<std::mutex>* lock, const string& waiting_message) {
    if (!queue_.empty()) return;
    if (!waiting_message.empty()) DLOG(INFO) << waiting_message;
    internal::StopSignal* stop = internal::CurrentStopSignal();
    if (stop) stop->SetWaitingOn(&condition_);
    while (queue_.empty()) {
      if (stop && stop->requested()) {
        stop->SetWaitingOn(nullptr);
        throw ThreadInterrupted();
      }
      // A stop request notifies without this queue's mutex, so it can slip
      // between the check above and the wait; the timeout bounds that case.
      condition_.wait_for(*lock, std::chrono::milliseconds(stop ? 50 : 1000));
    }
    if (stop) stop->SetWaitingOn(nullptr);
  }

  mutable std::mutex mutex_;
  std::condition_variable condition_;
  std::deque<T> queue_;
};

}  // namespace caffe
