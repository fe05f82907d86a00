// WorkerPool: a fixed set of threads that run the indices of one loop in
// parallel (ParallelFor), used by data layers to decode a batch.
//
// With one worker the loop runs on the calling thread and no thread exists.
// An exception thrown for an index is kept and, once every index has run,
// the one of the LOWEST failing index is rethrown: which error a caller sees
// does not depend on scheduling.
//
// Ownership and threads: the owner calls ParallelFor from one thread at a
// time. The destructor stops and joins the workers (waiting for a loop in
// progress to finish).
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "caffe/common.hpp"

namespace caffe {

class WorkerPool {
 public:
  // `workers` >= 1.
  explicit WorkerPool(int workers);
  ~WorkerPool();
  DISABLE_COPY_AND_ASSIGN(WorkerPool);

  // Runs body(index, worker) for index in [0, count), worker in
  // [0, workers()) naming the thread (for per-worker scratch state).
  void ParallelFor(int count, const std::function<void(int index, int worker)>& body);

  int workers() const { return workers_; }

 private:
  void WorkerLoop(int worker);
  // Takes indices of the current loop until none is left; `lock` holds
  // mutex_ on entry and exit.
  void RunIndices(std::unique_lock<std::mutex>* lock, int worker);

  const int workers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  bool stopping_ = false;
  // The loop in progress; generation_ changes with each new loop.
  uint64_t generation_ = 0;
  const std::function<void(int, int)>* body_ = nullptr;
  int count_ = 0;
  int next_index_ = 0;
  int finished_ = 0;
  std::vector<std::exception_ptr> errors_;
};

}  // namespace caffe
