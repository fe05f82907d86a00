// Helpers shared by the augmentation tests: synthetic images and
// comparisons.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {
namespace test {

// A deterministic textured image: smooth gradients plus fine detail, so
// interpolation errors and blur are visible.
inline std::vector<uint8_t> TexturedImage(int h, int w, int c, int salt = 0) {
  std::vector<uint8_t> img(static_cast<size_t>(h) * w * c);
  uint32_t state = 12345u + salt;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < c; ++k) {
        state = state * 1664525u + 1013904223u;
        const double smooth = 128 + 70 * std::sin(0.21 * x + 0.9 * k) *
                                        std::cos(0.17 * y - 0.4 * k);
        const double detail = 30 * std::sin(1.3 * x + 0.7 * y);
        const double grain = ((state >> 24) & 15) - 7.5;
        const double v = smooth + detail + grain;
        img[(static_cast<size_t>(y) * w + x) * c + k] =
            static_cast<uint8_t>(std::min(255.0, std::max(0.0, v)));
      }
    }
  }
  return img;
}

inline int MaxAbsDiff(const std::vector<uint8_t>& a,
                      const std::vector<uint8_t>& b) {
  EXPECT_EQ(a.size(), b.size());
  int worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
  }
  return worst;
}

inline double MaxAbsDiff(const std::vector<float>& a,
                         const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  }
  return worst;
}

}  // namespace test
}  // namespace augment
}  // namespace caffe
