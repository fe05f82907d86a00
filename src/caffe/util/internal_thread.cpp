#include "caffe/util/internal_thread.hpp"

namespace caffe {
namespace internal {
namespace {
thread_local StopSignal* current_stop_signal = nullptr;
}  // namespace

void StopSignal::Request() {
  requested_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(mutex_);
  if (waiting_on_) waiting_on_->notify_all();
}

void StopSignal::SetWaitingOn(std::condition_variable* cv) {
  std::lock_guard<std::mutex> lock(mutex_);
  waiting_on_ = cv;
}

StopSignal* CurrentStopSignal() { return current_stop_signal; }

}  // namespace internal

InternalThread::~InternalThread() { StopInternalThread(); }

void InternalThread::StartInternalThread() { Start(true, caffe_rng_rand()); }

void InternalThread::StartInternalThreadWithoutSeed() { Start(false, 0); }

void InternalThread::Start(bool seed_child, unsigned int rand_seed) {
  CHECK(!is_started()) << "an InternalThread is started once";
  stop_ = std::make_shared<internal::StopSignal>();
  thread_ = std::thread(&InternalThread::Entry, this, Caffe::mode(), seed_child, rand_seed);
}

void InternalThread::StopInternalThread() {
  if (!is_started()) return;
  stop_->Request();
  thread_.join();
}

void InternalThread::InternalThreadFailed(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    LOG(ERROR) << "background thread stopped: " << e.what();
  }
}

void InternalThread::Entry(Caffe::Brew mode, bool seed_child, unsigned int rand_seed) {
  internal::current_stop_signal = stop_.get();
  Caffe::set_mode(mode);
  if (seed_child) Caffe::set_random_seed(rand_seed);
  try {
    InternalThreadEntry();
  } catch (const ThreadInterrupted&) {
    // A requested stop: nothing to report.
  } catch (...) {
    const std::exception_ptr error = std::current_exception();
    try {
      InternalThreadFailed(error);
    } catch (...) {
      LOG(ERROR) << "background thread: failure handler threw";
    }
  }
  internal::current_stop_signal = nullptr;
}

}  // namespace caffe
