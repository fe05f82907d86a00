// Counter-based random numbers for the augmentation engine (internal).
//
// Every value is a pure function of a 64-bit key and a counter, so the draws
// of an image depend only on (seed, epoch, record, slot) and never on which
// thread runs it or when. Per-pixel noise uses the same idea with the pixel
// index as the counter, so it can be evaluated in any order.
#pragma once

#include <cmath>
#include <cstdint>

namespace caffe {
namespace augment {
namespace internal {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// SplitMix64's finaliser: a bijective mix with full avalanche.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t HashCombine(uint64_t a, uint64_t b) {
  return Mix64(a ^ Mix64(b + kGolden));
}

// The n-th 64-bit value of stream `key`.
inline uint64_t CounterHash(uint64_t key, uint64_t n) {
  return Mix64(key + (n + 1) * kGolden);
}

inline double ToUnit(uint64_t bits) {  // [0, 1)
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

// Sequential draws from one stream (used while sampling an image's params).
class CounterRng {
 public:
  explicit CounterRng(uint64_t key) : key_(key), counter_(0) {}
  uint64_t Next() { return CounterHash(key_, counter_++); }
  double Uniform() { return ToUnit(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Log-uniform in [lo, hi] (lo, hi > 0).
  double LogUniform(double lo, double hi) {
    return std::exp(Uniform(std::log(lo), std::log(hi)));
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Integer uniform in [0, n).
  int Index(int n) {
    return static_cast<int>(Uniform() * n) % (n > 0 ? n : 1);
  }
  double Normal(double stddev) {  // Box-Muller, one value per two draws
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return stddev * std::sqrt(-2.0 * std::log(u1)) *
           std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t key_;
  uint64_t counter_;
};

// Standard normal quantiles at (k + 0.5) / 65536: four gaussian values come
// out of one 64-bit hash by table look-up.
const float* NormalQuantileTable();

// The gaussian noise value (unit std) for value index i of an image.
inline float NoiseAt(const float* table, uint64_t seed, uint64_t i) {
  const uint64_t bits = CounterHash(seed, i >> 2);
  return table[(bits >> ((i & 3) * 16)) & 0xffff];
}

// Streams derived from SampledParams::pixel_seed / coord_seed.
constexpr uint64_t kNoiseStream = 1;
constexpr uint64_t kSaltPepperStream = 2;
constexpr uint64_t kRandomFillStream = 3;
constexpr uint64_t kJitterStream = 4;
constexpr uint64_t kElasticStream = 5;

}  // namespace internal
}  // namespace augment
}  // namespace caffe
