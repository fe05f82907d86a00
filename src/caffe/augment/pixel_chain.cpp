// The fast pixel chain: RunPixelChainReference's steps, one image row at a
// time, with every step of a row done while the row sits in L1, and the row
// written once to its destination (the output image, or the caller's row
// function, e.g. the data layer's transform into the batch).
//
// The row body is plain loops that the compiler vectorises; it is compiled
// three times (baseline SSE2, AVX2, AVX-512) and chosen at run time like the
// warp kernels. The noise look-up is a gather, written with intrinsics. Every
// ISA computes the reference's float operations in the reference's order
// (this file is built with -ffp-contract=off, so no multiply-add is fused;
// see CMakeLists.txt), so all write the same values as the reference:
// tests/cpp/test_pixel_chain_isa.cpp compares them.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>

#include "caffe/augment/kernels.hpp"
#include "caffe/augment/random.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define CAFFE_PIXEL_WIDE_KERNELS 1
#include <immintrin.h>
#endif

namespace caffe {
namespace augment {
namespace internal {

namespace {

// What every row of one image needs: the chain's steps as flags, the
// per-value coefficients of a row (channel k's at every index of channel k),
// and the row's working memory.
struct RowPlan {
  int width = 0, channels = 0, values = 0;  // values = width * channels
  bool color = false;
  bool diagonal = false;  // the colour matrix has no cross-channel term
  float matrix[12];
  const float* gain = nullptr;   // diagonal colour: v = gain v + bias
  const float* bias = nullptr;
  bool gamma = false;
  const uint8_t* gamma_lut = nullptr;
  bool lighting = false;  // PCA lighting offset (3 channels only)
  const float* light = nullptr;
  bool noise = false;
  const float* noise_table = nullptr;
  uint64_t noise_key = 0;
  float noise_std = 0;
  bool clamp_again = false;  // after lighting or noise
  bool salt_pepper = false;
  double salt_pepper_prob = 0;
  uint64_t salt_pepper_key = 0;
  float* row = nullptr;       // `values` floats
  uint64_t* hashes = nullptr;  // values / 4 + 2 noise hashes
};

// Where a finished row goes: 8-bit HWC at u8, or float CHW with channel k
// at chw + k * plane.
struct RowSink {
  uint8_t* u8;
  float* chw;
  size_t plane;
};

inline float Clamp255(float v) { return std::min(255.f, std::max(0.f, v)); }

// The noise value index j of the row (global value index base + j) reads:
// 16-bit lane (base + j) % 4 of the hash of quad (base + j) / 4, and
// hashes[0] is the hash of quad base / 4.
inline uint32_t NoiseIndex(const uint64_t* hashes, size_t base, int j) {
  const size_t local = (base & 3) + static_cast<size_t>(j);
  return static_cast<uint32_t>((hashes[local >> 2] >> ((local & 3) * 16)) & 0xffff);
}

void AddNoiseScalar(const RowPlan& plan, size_t base, float* v) {
  for (int j = 0; j < plan.values; ++j) {
    v[j] += plan.noise_std * plan.noise_table[NoiseIndex(plan.hashes, base, j)];
  }
}

// Writes the row's values v (w pixels of c channels) to the sink's CHW
// rows.
__attribute__((always_inline)) inline void StoreChannelRows(const float* v, int w, int c,
                                                            const RowSink& sink) {
  if (c == 3) {
    float* out0 = sink.chw;
    float* out1 = sink.chw + sink.plane;
    float* out2 = sink.chw + 2 * sink.plane;
    for (int x = 0; x < w; ++x) {
      out0[x] = v[3 * x];
      out1[x] = v[3 * x + 1];
      out2[x] = v[3 * x + 2];
    }
  } else {
    for (int k = 0; k < c; ++k) {
      float* out = sink.chw + k * sink.plane;
      for (int x = 0; x < w; ++x) out[x] = v[x * c + k];
    }
  }
}

// Whether the row needs only the steps that run value by value (diagonal
// colour, lighting, noise, clamps): then the wide kernels do them all in one
// pass in registers.
inline bool ValueByValue(const RowPlan& plan) {
  return !plan.gamma && !plan.salt_pepper && (!plan.color || plan.diagonal);
}

// Value j of a row of ValueByValue, exactly as the steps compute it.
inline float ValueByValueScalar(const RowPlan& plan, const uint8_t* in, size_t base, int j) {
  float x = in[j];
  if (plan.color) x = Clamp255(plan.gain[j] * x + plan.bias[j]);
  if (plan.lighting) x += plan.light[j];
  if (plan.noise) x += plan.noise_std * plan.noise_table[NoiseIndex(plan.hashes, base, j)];
  if (plan.clamp_again) x = Clamp255(x);
  return x;
}

#ifdef CAFFE_PIXEL_WIDE_KERNELS
// GCC 12 reports the AVX-512 intrinsics' own undefined pass-through operands
// (wherever they are inlined: up to ChainRowAvx512).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define CAFFE_TARGET_AVX2 __attribute__((target("avx2")))
#define CAFFE_TARGET_AVX512 \
  __attribute__((target("avx2,avx512f,avx512bw,avx512dq,avx512vl,prefer-vector-width=512")))

// The hashes are little-endian 64-bit words, so the row's noise indices are
// consecutive 16-bit words from (base & 3) on.
inline const uint16_t* NoiseIndices(const RowPlan& plan, size_t base) {
  return reinterpret_cast<const uint16_t*>(plan.hashes) + (base & 3);
}

CAFFE_TARGET_AVX2 inline void AddNoiseAvx2(const RowPlan& plan, size_t base, float* v) {
  const uint16_t* indices = NoiseIndices(plan, base);
  const __m256 scale = _mm256_set1_ps(plan.noise_std);
  int j = 0;
  for (; j + 8 <= plan.values; j += 8) {
    const __m256i index =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(indices + j)));
    const __m256 noise = _mm256_i32gather_ps(plan.noise_table, index, 4);
    _mm256_storeu_ps(v + j, _mm256_add_ps(_mm256_loadu_ps(v + j), _mm256_mul_ps(scale, noise)));
  }
  for (; j < plan.values; ++j) {
    v[j] += plan.noise_std * plan.noise_table[NoiseIndex(plan.hashes, base, j)];
  }
}

CAFFE_TARGET_AVX512 inline void AddNoiseAvx512(const RowPlan& plan, size_t base, float* v) {
  const uint16_t* indices = NoiseIndices(plan, base);
  const __m512 scale = _mm512_set1_ps(plan.noise_std);
  int j = 0;
  for (; j + 16 <= plan.values; j += 16) {
    const __m512i index = _mm512_cvtepu16_epi32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(indices + j)));
    const __m512 noise = _mm512_i32gather_ps(index, plan.noise_table, 4);
    _mm512_storeu_ps(v + j, _mm512_add_ps(_mm512_loadu_ps(v + j), _mm512_mul_ps(scale, noise)));
  }
  for (; j < plan.values; ++j) {
    v[j] += plan.noise_std * plan.noise_table[NoiseIndex(plan.hashes, base, j)];
  }
}

// The steps of a ValueByValue row in one pass, eight values at a time; the
// result goes to u8 (rounded) or, when u8 is null, to v.
CAFFE_TARGET_AVX2 inline void ValueByValueAvx2(const RowPlan& plan, const uint8_t* in,
                                               size_t base, float* v, uint8_t* u8) {
  const int n = plan.values;
  const uint16_t* indices = plan.noise ? NoiseIndices(plan, base) : nullptr;
  const __m256 zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255.f);
  const __m256 half = _mm256_set1_ps(0.5f), scale = _mm256_set1_ps(plan.noise_std);
  // Locals, not plan's fields: the byte stores could alias those.
  const bool color = plan.color, lighting = plan.lighting, add_noise = plan.noise,
             clamp_again = plan.clamp_again;
  const float *gain = plan.gain, *bias = plan.bias, *light = plan.light,
              *table = plan.noise_table;
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 x = _mm256_cvtepi32_ps(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + j))));
    if (color) {
      x = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(gain + j), x),
                        _mm256_loadu_ps(bias + j));
      x = _mm256_min_ps(_mm256_max_ps(x, zero), top);
    }
    if (lighting) x = _mm256_add_ps(x, _mm256_loadu_ps(light + j));
    if (add_noise) {
      const __m256i index =
          _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(indices + j)));
      x = _mm256_add_ps(x, _mm256_mul_ps(scale, _mm256_i32gather_ps(table, index, 4)));
    }
    if (clamp_again) x = _mm256_min_ps(_mm256_max_ps(x, zero), top);
    if (u8) {
      const __m256i rounded = _mm256_cvttps_epi32(_mm256_add_ps(x, half));
      const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(rounded),
                                             _mm256_extracti128_si256(rounded, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(u8 + j), _mm_packus_epi16(words, words));
    } else {
      _mm256_storeu_ps(v + j, x);
    }
  }
  for (; j < n; ++j) {
    const float x = ValueByValueScalar(plan, in, base, j);
    if (u8) {
      u8[j] = static_cast<uint8_t>(x + 0.5f);
    } else {
      v[j] = x;
    }
  }
}

// The same sixteen values at a time; the tail under a mask.
CAFFE_TARGET_AVX512 inline void ValueByValueAvx512(const RowPlan& plan, const uint8_t* in,
                                                   size_t base, float* v, uint8_t* u8) {
  const int n = plan.values;
  const uint16_t* indices = plan.noise ? NoiseIndices(plan, base) : nullptr;
  const __m512 zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.f);
  const __m512 half = _mm512_set1_ps(0.5f), scale = _mm512_set1_ps(plan.noise_std);
  // Locals, not plan's fields: the byte stores could alias those, and the
  // compiler would reload them every step.
  const bool color = plan.color, lighting = plan.lighting, add_noise = plan.noise,
             clamp_again = plan.clamp_again;
  const float *gain = plan.gain, *bias = plan.bias, *light = plan.light,
              *table = plan.noise_table;
  for (int j = 0; j < n; j += 16) {
    const __mmask16 mask =
        n - j >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - j)) - 1);
    __m512 x = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, in + j)));
    if (color) {
      x = _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, gain + j), x),
                        _mm512_maskz_loadu_ps(mask, bias + j));
      x = _mm512_min_ps(_mm512_max_ps(x, zero), top);
    }
    if (lighting) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, light + j));
    if (add_noise) {
      const __m512i index = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, indices + j));
      const __m512 noise = _mm512_mask_i32gather_ps(zero, mask, index, table, 4);
      x = _mm512_add_ps(x, _mm512_mul_ps(scale, noise));
    }
    if (clamp_again) x = _mm512_min_ps(_mm512_max_ps(x, zero), top);
    if (u8) {
      _mm512_mask_cvtepi32_storeu_epi8(u8 + j, mask, _mm512_cvttps_epi32(_mm512_add_ps(x, half)));
    } else {
      _mm512_mask_storeu_ps(v + j, mask, x);
    }
  }
}

// Splits a row of w three-channel pixels into its channel rows.
CAFFE_TARGET_AVX512 inline void SplitChannelsAvx512(const float* v, int w, float* out0,
                                                    float* out1, float* out2) {
  // Channel k of pixel i is value 3 i + k: from the first two vectors of
  // 48 values while below 32, else from the third.
  alignas(64) int32_t first[3][16], second[3][16];
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 16; ++i) {
      const int e = 3 * i + k;
      first[k][i] = e < 32 ? e : 0;
      second[k][i] = e < 32 ? i : 16 + e - 32;
    }
  }
  __m512i a[3], b[3];
  for (int k = 0; k < 3; ++k) {
    a[k] = _mm512_load_si512(first[k]);
    b[k] = _mm512_load_si512(second[k]);
  }
  float* out[3] = {out0, out1, out2};
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const float* p = v + 3 * x;
    const __m512 v0 = _mm512_loadu_ps(p), v1 = _mm512_loadu_ps(p + 16),
                 v2 = _mm512_loadu_ps(p + 32);
    for (int k = 0; k < 3; ++k) {
      const __m512 low = _mm512_permutex2var_ps(v0, a[k], v1);
      _mm512_storeu_ps(out[k] + x, _mm512_permutex2var_ps(low, b[k], v2));
    }
  }
  for (; x < w; ++x) {
    out0[x] = v[3 * x];
    out1[x] = v[3 * x + 1];
    out2[x] = v[3 * x + 2];
  }
}
#endif  // CAFFE_PIXEL_WIDE_KERNELS

// The chain on row y, from the 8-bit stage row `in` to `sink`, in the
// reference's order: colour matrix and clamp, gamma, lighting, noise, clamp,
// salt & pepper, output.
template <PixelIsa kIsa>
__attribute__((always_inline)) inline void ChainRowBody(const RowPlan& plan, const uint8_t* in,
                                                        int y, const RowSink& sink) {
  const int n = plan.values, c = plan.channels, w = plan.width;
  const size_t base = static_cast<size_t>(y) * n;
  float* v = plan.row;
  if (plan.noise) {
    const uint64_t first = base >> 2;
    const int quads = static_cast<int>(((base + n - 1) >> 2) - first) + 1;
    for (int q = 0; q < quads; ++q) plan.hashes[q] = CounterHash(plan.noise_key, first + q);
  }
#ifdef CAFFE_PIXEL_WIDE_KERNELS
  if constexpr (kIsa != PixelIsa::kSse2) {
    if (ValueByValue(plan)) {
      if constexpr (kIsa == PixelIsa::kAvx512) {
        ValueByValueAvx512(plan, in, base, v, sink.u8);
        if (!sink.u8 && c == 3) {
          SplitChannelsAvx512(v, w, sink.chw, sink.chw + sink.plane, sink.chw + 2 * sink.plane);
          return;
        }
      } else {
        ValueByValueAvx2(plan, in, base, v, sink.u8);
      }
      if (sink.u8) return;
      StoreChannelRows(v, w, c, sink);
      return;
    }
  }
#endif
  for (int j = 0; j < n; ++j) v[j] = in[j];
  if (plan.color) {
    if (plan.diagonal) {
      for (int j = 0; j < n; ++j) v[j] = Clamp255(plan.gain[j] * v[j] + plan.bias[j]);
    } else {
      const float* m = plan.matrix;
      for (int x = 0; x < w; ++x) {
        float* px = v + 3 * x;
        const float r0 = px[0], r1 = px[1], r2 = px[2];
        px[0] = Clamp255(m[0] * r0 + m[1] * r1 + m[2] * r2 + m[3]);
        px[1] = Clamp255(m[4] * r0 + m[5] * r1 + m[6] * r2 + m[7]);
        px[2] = Clamp255(m[8] * r0 + m[9] * r1 + m[10] * r2 + m[11]);
      }
    }
  }
  if (plan.gamma) {
    for (int j = 0; j < n; ++j) v[j] = plan.gamma_lut[static_cast<int>(v[j] + 0.5f)];
  }
  if (plan.lighting) {
    for (int j = 0; j < n; ++j) v[j] += plan.light[j];
  }
  if (plan.noise) {
#ifdef CAFFE_PIXEL_WIDE_KERNELS
    if constexpr (kIsa == PixelIsa::kAvx512) {
      AddNoiseAvx512(plan, base, v);
    } else if constexpr (kIsa == PixelIsa::kAvx2) {
      AddNoiseAvx2(plan, base, v);
    } else {
      AddNoiseScalar(plan, base, v);
    }
#else
    AddNoiseScalar(plan, base, v);
#endif
  }
  if (plan.clamp_again) {
    for (int j = 0; j < n; ++j) v[j] = Clamp255(v[j]);
  }
  if (plan.salt_pepper) {
    const double half = plan.salt_pepper_prob / 2;
    for (int x = 0; x < w; ++x) {
      const double r = ToUnit(CounterHash(plan.salt_pepper_key, static_cast<uint64_t>(y) * w + x));
      if (r < plan.salt_pepper_prob) {
        const float value = r < half ? 0.f : 255.f;
        for (int k = 0; k < c; ++k) v[x * c + k] = value;
      }
    }
  }
  if (sink.u8) {
    // Values are within [0, 255] here, so rounding is a biased truncation.
    uint8_t* out = sink.u8;
    for (int j = 0; j < n; ++j) out[j] = static_cast<uint8_t>(v[j] + 0.5f);
  } else {
    StoreChannelRows(v, w, c, sink);
  }
}

typedef void (*ChainRowKernel)(const RowPlan&, const uint8_t*, int, const RowSink&);

void ChainRowSse2(const RowPlan& plan, const uint8_t* in, int y, const RowSink& sink) {
  ChainRowBody<PixelIsa::kSse2>(plan, in, y, sink);
}

#ifdef CAFFE_PIXEL_WIDE_KERNELS
CAFFE_TARGET_AVX2 void ChainRowAvx2(const RowPlan& plan, const uint8_t* in, int y,
                                    const RowSink& sink) {
  ChainRowBody<PixelIsa::kAvx2>(plan, in, y, sink);
}

CAFFE_TARGET_AVX512 void ChainRowAvx512(const RowPlan& plan, const uint8_t* in, int y,
                                        const RowSink& sink) {
  ChainRowBody<PixelIsa::kAvx512>(plan, in, y, sink);
}

#pragma GCC diagnostic pop
#undef CAFFE_TARGET_AVX2
#undef CAFFE_TARGET_AVX512
#endif

std::atomic<PixelIsa>& PixelIsaSetting() {
  static std::atomic<PixelIsa> setting{BestPixelIsa()};
  return setting;
}

ChainRowKernel ChosenRowKernel() {
#ifdef CAFFE_PIXEL_WIDE_KERNELS
  switch (PixelIsaSetting().load(std::memory_order_relaxed)) {
    case PixelIsa::kAvx512:
      return ChainRowAvx512;
    case PixelIsa::kAvx2:
      return ChainRowAvx2;
    default:
      break;
  }
#endif
  return ChainRowSse2;
}

// The plan of `chain` for p's output, its coefficient rows and working
// memory in `floats` and `hashes`.
RowPlan MakeRowPlan(const PixelChain& chain, const SampledParams& p, std::vector<float>* floats,
                    std::vector<uint64_t>* hashes) {
  RowPlan plan;
  const int c = p.channels, n = p.out_width * c;
  plan.width = p.out_width;
  plan.channels = c;
  plan.values = n;
  floats->resize(4 * static_cast<size_t>(n));
  hashes->resize(static_cast<size_t>(n) / 4 + 2);
  float* gain = floats->data();
  float* bias = gain + n;
  float* light = bias + n;
  plan.row = light + n;
  plan.hashes = hashes->data();
  plan.color = chain.color;
  for (int i = 0; i < 12; ++i) plan.matrix[i] = static_cast<float>(chain.matrix[i]);
  if (chain.color) {
    // Without 3 colour channels only brightness and contrast act, alike on
    // every channel (matrix entry 0 and offset entry 3). With 3, a matrix
    // without cross terms gives the reference's value through the diagonal
    // alone: the zero terms add +0, which changes nothing the clamp keeps.
    const float* m = plan.matrix;
    plan.diagonal = c != 3 || (m[1] == 0 && m[2] == 0 && m[4] == 0 && m[6] == 0 &&
                               m[8] == 0 && m[9] == 0);
    for (int j = 0; j < n; ++j) {
      const int k = c == 3 ? j % 3 : 0;
      gain[j] = m[5 * k];
      bias[j] = m[4 * k + 3];
    }
  }
  plan.gain = gain;
  plan.bias = bias;
  plan.gamma = chain.gamma;
  plan.gamma_lut = chain.gamma_lut;
  plan.lighting =
      c == 3 && (chain.offset[0] != 0 || chain.offset[1] != 0 || chain.offset[2] != 0);
  if (plan.lighting) {
    for (int j = 0; j < n; ++j) light[j] = static_cast<float>(chain.offset[j % 3]);
  }
  plan.light = light;
  plan.noise = chain.noise_std > 0;
  if (plan.noise) {
    plan.noise_table = NormalQuantileTable();
    plan.noise_key = HashCombine(p.pixel_seed, kNoiseStream);
    plan.noise_std = static_cast<float>(chain.noise_std);
  }
  // The reference clamps again after an offset of any channel count.
  plan.clamp_again = chain.offset[0] != 0 || chain.offset[1] != 0 || chain.offset[2] != 0 ||
                     plan.noise;
  plan.salt_pepper = chain.salt_pepper > 0;
  plan.salt_pepper_prob = chain.salt_pepper;
  plan.salt_pepper_key = HashCombine(p.pixel_seed, kSaltPepperStream);
  return plan;
}

// The value cutout writes at value index `index` of the image.
float CutoutValue(const AugmentationParameter& param, uint64_t key, uint64_t index) {
  if (!param.cutout_random_fill()) return param.cutout_fill();
  return static_cast<float>(std::min(255.0, std::floor(256 * ToUnit(CounterHash(key, index)))));
}

}  // namespace

PixelIsa BestPixelIsa() {
#ifdef CAFFE_PIXEL_WIDE_KERNELS
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    return PixelIsa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2")) return PixelIsa::kAvx2;
#endif
  return PixelIsa::kSse2;
}

bool SetPixelIsa(PixelIsa isa) {
  if (static_cast<int>(isa) > static_cast<int>(BestPixelIsa())) return false;
  PixelIsaSetting().store(isa);
  return true;
}

PixelIsa CurrentPixelIsa() { return PixelIsaSetting().load(); }

void RunPixelChain(const PixelChain& chain, const SampledParams& p, const uint8_t* stage,
                   AugmentedImage* out) {
  const int pixels = p.out_height * p.out_width;
  const size_t count = static_cast<size_t>(pixels) * p.channels;
  const bool to_float = out->layout == AugmentedImage::FLOAT_CHW;
  if (!chain.active() && !to_float) {
    out->u8.assign(stage, stage + count);
    return;
  }
  if (to_float) {
    out->f32.resize(count);
  } else {
    out->u8.resize(count);
  }
  const RowPlan plan = MakeRowPlan(chain, p, &out->float_scratch, &out->hash_scratch);
  const ChainRowKernel kernel = ChosenRowKernel();
  for (int y = 0; y < p.out_height; ++y) {
    const size_t row = static_cast<size_t>(y) * plan.values;
    RowSink sink = {nullptr, nullptr, static_cast<size_t>(pixels)};
    if (to_float) {
      sink.chw = out->f32.data() + static_cast<size_t>(y) * p.out_width;
    } else {
      sink.u8 = out->u8.data() + row;
    }
    kernel(plan, stage + row, y, sink);
  }
}

void RunPixelChainRows(const AugmentationParameter& param, const PixelChain& chain,
                       const SampledParams& p, const uint8_t* stage, int top, int rows,
                       AugmentedImage* scratch,
                       const std::function<void(int r, const uint8_t* pixels)>& row) {
  const int w = p.out_width, c = p.channels;
  const RowPlan plan = MakeRowPlan(chain, p, &scratch->float_scratch, &scratch->hash_scratch);
  const ChainRowKernel kernel = ChosenRowKernel();
  scratch->u8.resize(plan.values);
  uint8_t* line = scratch->u8.data();
  const uint64_t cutout_key = HashCombine(p.pixel_seed, kRandomFillStream);
  for (int r = 0; r < rows; ++r) {
    const int y = top + r;
    const uint8_t* in = stage + static_cast<size_t>(y) * plan.values;
    const uint8_t* done = in;
    if (chain.active()) {
      kernel(plan, in, y, RowSink{line, nullptr, 0});
      done = line;
    }
    bool cut = false;
    for (const Rect& rect : p.cutouts) cut = cut || (y >= rect.y && y < rect.y + rect.height);
    if (cut) {
      if (done != line) std::memcpy(line, in, plan.values);
      for (const Rect& rect : p.cutouts) {
        if (y < rect.y || y >= rect.y + rect.height) continue;
        for (int x = rect.x; x < rect.x + rect.width; ++x) {
          for (int k = 0; k < c; ++k) {
            const uint64_t index = (static_cast<uint64_t>(y) * w + x) * c + k;
            line[x * c + k] = Round8(CutoutValue(param, cutout_key, index));
          }
        }
      }
      done = line;
    }
    row(r, done);
  }
}

void ApplyCutouts(const AugmentationParameter& param, const SampledParams& p,
                  AugmentedImage* out) {
  const int c = p.channels, w = p.out_width;
  const int pixels = p.out_height * w;
  const bool to_float = out->layout == AugmentedImage::FLOAT_CHW;
  const uint64_t key = HashCombine(p.pixel_seed, kRandomFillStream);
  for (const Rect& r : p.cutouts) {
    for (int y = r.y; y < r.y + r.height; ++y) {
      for (int x = r.x; x < r.x + r.width; ++x) {
        const int i = y * w + x;
        for (int k = 0; k < c; ++k) {
          const uint64_t index = static_cast<uint64_t>(i) * c + k;
          const float value = CutoutValue(param, key, index);
          if (to_float) {
            out->f32[k * pixels + i] = value;
          } else {
            out->u8[index] = Round8(value);
          }
        }
      }
    }
  }
}

}  // namespace internal
}  // namespace augment
}  // namespace caffe
