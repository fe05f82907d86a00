// What the C++ benchmarks (augment_bench, warp_bench) share: their test
// images and the per-thread throughput loop. Header-only; each benchmark is
// one executable.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <time.h>

#include <functional>
#include <thread>
#include <vector>

namespace bench {

// `count` different size x size BGR images: blurred noise (a natural-ish
// spectrum) and a filled disc, so that cycling through them defeats the
// caches as a data set would.
inline std::vector<cv::Mat> MakeImages(int count, int size) {
  std::vector<cv::Mat> images;
  cv::RNG rng(1);
  for (int i = 0; i < count; ++i) {
    cv::Mat img(size, size, CV_8UC3);
    rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(img, img, cv::Size(7, 7), 2.0);
    cv::circle(img, cv::Point(80 + i, 120), 50, cv::Scalar(30, 200, 90), -1);
    images.push_back(img);
  }
  return images;
}

// CPU time of the calling thread: throughput per thread stays meaningful on
// a machine shared with other work.
inline double ThreadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Runs `one(t, i)` for image indices i = 0, 1, ... on `threads` threads for
// about `seconds` of CPU time each (after 8 warm-up calls); returns images per
// CPU-second per thread, the mean over the threads.
inline double Measure(double seconds, int threads, const std::function<void(int, int)>& one) {
  std::vector<double> rates(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) one(t, i);
      const double start = ThreadSeconds();
      int done = 0;
      double elapsed = 0;
      while (elapsed < seconds) {
        for (int k = 0; k < 16; ++k, ++done) one(t, done);
        elapsed = ThreadSeconds() - start;
      }
      rates[t] = done / elapsed;
    });
  }
  for (std::thread& thread : pool) thread.join();
  double sum = 0;
  for (double rate : rates) sum += rate;
  return sum / threads;
}

}  // namespace bench
