// InternalThread: a class that owns one background thread (data prefetching,
// database reading) and can stop it at any moment.
//
// StartInternalThread() draws one caffe_rng_rand() from the calling thread and
// seeds the child's Caffe::rng() with it (upstream's rule), so runs seeded with
// Caffe::set_random_seed are reproducible; the child also inherits the mode.
//
// Stopping: StopInternalThread() raises the stop flag, wakes the child if it
// waits in a BlockingQueue pop/peek (the wait then throws ThreadInterrupted,
// which the base class swallows), and joins. Subclasses whose
// InternalThreadEntry() uses their own members MUST call StopInternalThread()
// in their destructor: by the time ~InternalThread runs those members are gone.
//
// Failures: an exception escaping InternalThreadEntry() ends the thread and is
// handed to InternalThreadFailed() on the child thread (never std::terminate);
// subclasses override it to deliver the error to their consumer.
//
// Thread-safety: Start/Stop are called from the owning thread only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "caffe/common.hpp"

namespace caffe {

// Thrown inside a background thread by an interrupted blocking wait.
class ThreadInterrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "thread interrupted"; }
};

namespace internal {

// The stop request of one background thread, and the condition variable that
// thread currently waits on (so a stop can wake it).
class StopSignal {
 public:
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  void Request();
  void SetWaitingOn(std::condition_variable* cv);

 private:
  std::atomic<bool> requested_{false};
  std::mutex mutex_;
  std::condition_variable* waiting_on_ = nullptr;
};

// The stop signal of the calling thread; null outside InternalThreads.
StopSignal* CurrentStopSignal();

}  // namespace internal

class InternalThread {
 public:
  InternalThread() = default;
  virtual ~InternalThread();
  DISABLE_COPY_AND_ASSIGN(InternalThread);

  void StartInternalThread();
  // Idempotent; returns once the thread has exited.
  void StopInternalThread();
  bool is_started() const { return thread_.joinable(); }

 protected:
  virtual void InternalThreadEntry() {}
  // Called on the child thread with the exception that ended it.
  virtual void InternalThreadFailed(std::exception_ptr error);
  // For threads that draw no random numbers: starts without taking a draw
  // from the caller's generator, so adding such a thread leaves seeded runs
  // unchanged. The child's Caffe::rng() keeps its unseeded state.
  void StartInternalThreadWithoutSeed();
  // Polled by entry loops that do not block in a queue.
  bool must_stop() const { return stop_ && stop_->requested(); }

 private:
  void Start(bool seed_child, unsigned int rand_seed);
  void Entry(Caffe::Brew mode, bool seed_child, unsigned int rand_seed);

  std::thread thread_;
  std::shared_ptr<internal::StopSignal> stop_;
};

}  // namespace caffe
