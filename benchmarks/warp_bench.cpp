// The bilinear warp kernel on each instruction set against OpenCV's
// warpAffine, per thread: 256x256 RGB images rotated by a random angle
// (plus a little scale and shear) into 256x256, zero padding.
//
//   warp_bench [--seconds S] [--threads T] [--rounds R] [--only CASE]
//
// Each case runs on T threads at once and reports images per CPU-second of
// one thread (the mean over threads), so the numbers stay comparable on a
// machine shared with other work; the cases alternate, R rounds, and the
// median of each is printed with its ratio to warpAffine. OpenCV runs
// single-threaded (cv::setNumThreads(1)), as each data thread would run it.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "caffe/augment/kernels.hpp"

using caffe::AugmentationParameter;
namespace internal = caffe::augment::internal;

namespace {

using bench::Measure;

constexpr int kSize = 256, kImages = 32, kMatrices = 64;

// Output-to-source maps: rotation by any angle, scale 0.9-1.1, shear +-0.1,
// about the image centre.
std::vector<std::vector<double>> MakeMatrices() {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> angle(-M_PI, M_PI), scale(0.9, 1.1), shear(-0.1, 0.1);
  std::vector<std::vector<double>> matrices;
  for (int i = 0; i < kMatrices; ++i) {
    const double a = angle(rng), s = scale(rng), sh = shear(rng);
    std::vector<double> m(6);
    m[0] = s * std::cos(a);
    m[1] = -s * std::sin(a) + sh;
    m[3] = s * std::sin(a);
    m[4] = s * std::cos(a);
    const double c = kSize / 2.0;
    m[2] = c - (m[0] * c + m[1] * c);
    m[5] = c - (m[3] * c + m[4] * c);
    matrices.push_back(m);
  }
  return matrices;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

const char* IsaName(internal::WarpIsa isa) {
  switch (isa) {
    case internal::WarpIsa::kAvx512:
      return "avx512";
    case internal::WarpIsa::kAvx2:
      return "avx2";
    default:
      return "sse2";
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  int threads = 1, rounds = 3;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--threads") {
      threads = std::atoi(argv[i + 1]);
    } else if (flag == "--rounds") {
      rounds = std::atoi(argv[i + 1]);
    } else if (flag == "--only") {
      only = argv[i + 1];
    } else {
      std::fprintf(stderr,
                   "usage: warp_bench [--seconds S] [--threads T] [--rounds R] [--only CASE]\n");
      return 2;
    }
  }
  cv::setNumThreads(1);
  const std::vector<cv::Mat> images = bench::MakeImages(kImages, kSize);
  const std::vector<std::vector<double>> matrices = MakeMatrices();
  std::vector<std::vector<uint8_t>> outputs(threads,
                                            std::vector<uint8_t>(kSize * kSize * 3));
  std::vector<cv::Mat> cv_outputs(threads);
  const float fill[3] = {0, 0, 0};

  struct Case {
    std::string name;
    std::function<void(int, int)> one;
  };
  std::vector<Case> cases;
  cases.push_back({"opencv_warpaffine", [&](int t, int i) {
                     const std::vector<double>& m = matrices[i % kMatrices];
                     const cv::Mat map = (cv::Mat_<double>(2, 3) << m[0], m[1], m[2], m[3],
                                          m[4], m[5]);
                     cv::warpAffine(images[i % kImages], cv_outputs[t], map,
                                    cv::Size(kSize, kSize),
                                    cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                                    cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
                   }});
  std::vector<internal::WarpIsa> isas{internal::WarpIsa::kSse2};
  for (auto isa : {internal::WarpIsa::kAvx2, internal::WarpIsa::kAvx512}) {
    if (static_cast<int>(isa) <= static_cast<int>(internal::BestWarpIsa())) isas.push_back(isa);
  }
  for (internal::WarpIsa isa : isas) {
    cases.push_back({std::string("ours_") + IsaName(isa), [&, isa](int t, int i) {
                       if (internal::CurrentWarpIsa() != isa) internal::SetWarpIsa(isa);
                       const internal::WarpJob job = {images[i % kImages].data,
                                                      kSize,
                                                      kSize,
                                                      3,
                                                      kSize,
                                                      kSize,
                                                      matrices[i % kMatrices].data(),
                                                      AugmentationParameter::BILINEAR,
                                                      AugmentationParameter::ZEROS,
                                                      fill,
                                                      nullptr};
                       std::vector<float> scratch;
                       internal::Warp(job, &scratch, outputs[t].data());
                     }});
  }

  if (!only.empty()) {
    // One case alone (for a profiler), after warpAffine for the ratio.
    std::vector<Case> chosen{cases[0]};
    for (const Case& c : cases) {
      if (c.name == only && c.name != cases[0].name) chosen.push_back(c);
    }
    cases = chosen;
  }
  std::vector<std::vector<double>> rates(cases.size());
  for (int round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < cases.size(); ++k) {
      const size_t c = (k + round) % cases.size();
      rates[c].push_back(Measure(seconds, threads, cases[c].one));
    }
  }
  const double opencv = Median(rates[0]);
  std::printf("threads %d, %d rounds of %.1f s, images per CPU-second per thread (median)\n",
              threads, rounds, seconds);
  for (size_t c = 0; c < cases.size(); ++c) {
    const double rate = Median(rates[c]);
    std::printf("%-20s %8.0f  %.2fx warpAffine\n", cases[c].name.c_str(), rate, rate / opencv);
  }
  return 0;
}
