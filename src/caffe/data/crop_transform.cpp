#include "caffe/data/crop_transform.hpp"

#include <emmintrin.h>

#include <cstdint>
#include <type_traits>

#include "caffe/augment/kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define CAFFE_CROP_WIDE_KERNELS 1
#include <immintrin.h>
#endif

namespace caffe {

namespace {

// The value of one input sample, exactly as the reference computes it.
template <typename Dtype, typename Pixel>
inline Dtype Transformed(const CropTransform<Dtype>& t, Pixel sample, int c, int h, int w) {
  const Dtype pixel = static_cast<Dtype>(sample);
  if (t.mean_image) {
    const int mean_index = (c * t.image_height + t.h_off + h) * t.image_width + t.w_off + w;
    return (pixel - t.mean_image[mean_index]) * t.scale;
  }
  if (t.mean_values) return (pixel - t.mean_values[c]) * t.scale;
  return pixel * t.scale;
}

// Copies n floats to `out`, the whole 64-byte lines of it with non-temporal
// stores: a batch is far larger than the caches, and ordinary stores would
// first read every line they write. (Partial lines get ordinary stores: a
// partial non-temporal line is slow.)
void StreamRow(const float* in, int n, float* out) {
  int i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(out + i) & 63) != 0; ++i) out[i] = in[i];
  for (; i + 16 <= n; i += 16) {
    _mm_stream_ps(out + i, _mm_loadu_ps(in + i));
    _mm_stream_ps(out + i + 4, _mm_loadu_ps(in + i + 4));
    _mm_stream_ps(out + i + 8, _mm_loadu_ps(in + i + 8));
    _mm_stream_ps(out + i + 12, _mm_loadu_ps(in + i + 12));
  }
  for (; i < n; ++i) out[i] = in[i];
}

#ifdef CAFFE_CROP_WIDE_KERNELS
// GCC 12 reports the AVX-512 intrinsics' own undefined pass-through operands.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The table's values of three interleaved 8-bit channels, computed:
// (v - means[k]) * scale into rows[k], sixteen pixels at a time, forwards or
// mirrored. Returns how many pixels it did (the first ones); the caller does
// the rest.
template <bool kMirror>
__attribute__((target("avx2,avx512f,avx512bw,avx512dq,avx512vl"))) int ComputeRow3Avx512(
    const uint8_t* in, int width, const float means[3], float scale, float* rows[3]) {
  // Channel k of pixel i is value 3 i + k of 48: from the first two vectors
  // while below 32, else from the third.
  alignas(64) int32_t first[3][16], second[3][16], reverse[16];
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 16; ++i) {
      const int e = 3 * i + k;
      first[k][i] = e < 32 ? e : 0;
      second[k][i] = e < 32 ? i : 16 + e - 32;
    }
  }
  for (int i = 0; i < 16; ++i) reverse[i] = 15 - i;
  __m512i pick_low[3], pick_high[3];
  __m512 mean[3];
  for (int k = 0; k < 3; ++k) {
    pick_low[k] = _mm512_load_si512(first[k]);
    pick_high[k] = _mm512_load_si512(second[k]);
    mean[k] = _mm512_set1_ps(means[k]);
  }
  const __m512i backwards = _mm512_load_si512(reverse);
  const __m512 times = _mm512_set1_ps(scale);
  int x = 0;
  for (; x + 16 <= width; x += 16) {
    const uint8_t* p = in + 3 * x;
    __m512 v[3];
    for (int part = 0; part < 3; ++part) {
      v[part] = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * part))));
    }
    for (int k = 0; k < 3; ++k) {
      const __m512 low = _mm512_permutex2var_ps(v[0], pick_low[k], v[1]);
      __m512 channel = _mm512_permutex2var_ps(low, pick_high[k], v[2]);
      channel = _mm512_mul_ps(_mm512_sub_ps(channel, mean[k]), times);
      if (kMirror) {
        _mm512_storeu_ps(rows[k] + width - x - 16, _mm512_permutexvar_ps(backwards, channel));
      } else {
        _mm512_storeu_ps(rows[k] + x, channel);
      }
    }
  }
  return x;
}

#pragma GCC diagnostic pop
#endif  // CAFFE_CROP_WIDE_KERNELS

// Table lookups, three interleaved channels (BGR), written forwards or
// backwards (mirror) so the inner loop has no branch.
template <typename Dtype, bool kMirror>
void TableRow3(const CropTransform<Dtype>& t, const uint8_t* in, int width, Dtype* out0,
               Dtype* out1, Dtype* out2) {
  const Dtype* table = t.table;
  if constexpr (std::is_same<Dtype, float>::value) {
    // Rows of up to kRow values go through the cache, then stream out.
    const int kRow = 1024;
    if (width <= kRow) {
      alignas(64) float row[3][kRow];
      int w = 0;
#ifdef CAFFE_CROP_WIDE_KERNELS
      // The pixel kernels' ISA setting (augment/kernels.hpp) chooses this
      // kernel too, so tests can compare both.
      if (augment::internal::CurrentPixelIsa() == augment::internal::PixelIsa::kAvx512) {
        const float no_means[3] = {0, 0, 0};
        float* rows[3] = {row[0], row[1], row[2]};
        w = ComputeRow3Avx512<kMirror>(in, width, t.mean_values ? t.mean_values : no_means,
                                       t.scale, rows);
      }
#endif
      for (; w < width; ++w) {
        const int to = kMirror ? width - 1 - w : w;
        row[0][to] = table[in[3 * w]];
        row[1][to] = table[256 + in[3 * w + 1]];
        row[2][to] = table[512 + in[3 * w + 2]];
      }
      StreamRow(row[0], width, out0);
      StreamRow(row[1], width, out1);
      StreamRow(row[2], width, out2);
      return;
    }
  }
  const Dtype* t0 = table;
  const Dtype* t1 = table + 256;
  const Dtype* t2 = table + 512;
  for (int w = 0; w < width; ++w) {
    const int to = kMirror ? width - 1 - w : w;
    out0[to] = t0[in[3 * w]];
    out1[to] = t1[in[3 * w + 1]];
    out2[to] = t2[in[3 * w + 2]];
  }
}

template <typename Dtype, bool kMirror>
void TableRow(const Dtype* table, const uint8_t* in, int channels, int width, Dtype* out,
              int plane) {
  for (int c = 0; c < channels; ++c) {
    const Dtype* tc = table + 256 * c;
    Dtype* oc = out + c * plane;
    for (int w = 0; w < width; ++w) oc[kMirror ? width - 1 - w : w] = tc[in[w * channels + c]];
  }
}

template <typename Dtype, typename Pixel, bool kMirror>
void ArithmeticRow(const CropTransform<Dtype>& t, const Pixel* in, int h, Dtype* out) {
  const int plane = t.height * t.width;
  for (int c = 0; c < t.channels; ++c) {
    Dtype* oc = out + c * plane;
    for (int w = 0; w < t.width; ++w) {
      oc[kMirror ? t.width - 1 - w : w] = Transformed(t, in[w * t.channels + c], c, h, w);
    }
  }
}

template <typename Dtype, typename Pixel, bool kMirror>
void Row(const CropTransform<Dtype>& t, const Pixel* in, int h, Dtype* out) {
  Dtype* row_out = out + static_cast<size_t>(h) * t.width;
  if constexpr (std::is_same<Pixel, uint8_t>::value) {
    if (t.table) {
      const int plane = t.height * t.width;
      if (t.channels == 3) {
        TableRow3<Dtype, kMirror>(t, in, t.width, row_out, row_out + plane,
                                  row_out + 2 * plane);
      } else {
        TableRow<Dtype, kMirror>(t.table, in, t.channels, t.width, row_out, plane);
      }
      return;
    }
  }
  ArithmeticRow<Dtype, Pixel, kMirror>(t, in, h, row_out);
}

}  // namespace

template <typename Dtype>
void CropTransform<Dtype>::Prepare(std::vector<Dtype>* storage) {
  if (mean_image) {
    table = nullptr;
    return;
  }
  storage->resize(static_cast<size_t>(256) * channels);
  for (int c = 0; c < channels; ++c) {
    for (int value = 0; value < 256; ++value) {
      (*storage)[256 * c + value] = Transformed(*this, static_cast<uint8_t>(value), c, 0, 0);
    }
  }
  table = storage->data();
}

template <typename Dtype, typename Pixel>
void TransformCropRow(const CropTransform<Dtype>& transform, const Pixel* crop_row, int h,
                      Dtype* out) {
  if (transform.mirror) {
    Row<Dtype, Pixel, true>(transform, crop_row, h, out);
  } else {
    Row<Dtype, Pixel, false>(transform, crop_row, h, out);
  }
}

template <typename Dtype, typename Pixel>
void TransformCrop(const CropTransform<Dtype>& transform, const cv::Mat& image, Dtype* out) {
  for (int h = 0; h < transform.height; ++h) {
    const Pixel* crop_row = image.ptr<Pixel>(transform.h_off + h) +
                            static_cast<size_t>(transform.w_off) * transform.channels;
    TransformCropRow(transform, crop_row, h, out);
  }
  FinishTransformCrop();
}

void FinishTransformCrop() { _mm_sfence(); }

template <typename Dtype, typename Pixel>
void TransformCropReference(const CropTransform<Dtype>& t, const cv::Mat& image, Dtype* out) {
  for (int h = 0; h < t.height; ++h) {
    const Pixel* row = image.ptr<Pixel>(h + t.h_off) + t.w_off * t.channels;
    for (int w = 0; w < t.width; ++w) {
      for (int c = 0; c < t.channels; ++c) {
        const int top_index = (c * t.height + h) * t.width + (t.mirror ? t.width - 1 - w : w);
        out[top_index] = Transformed(t, row[w * t.channels + c], c, h, w);
      }
    }
  }
}

#define INSTANTIATE_CROP_TRANSFORM(Dtype, Pixel)                                               \
  template void TransformCropRow<Dtype, Pixel>(const CropTransform<Dtype>&, const Pixel*, int, \
                                               Dtype*);                                        \
  template void TransformCrop<Dtype, Pixel>(const CropTransform<Dtype>&, const cv::Mat&,       \
                                            Dtype*);                                           \
  template void TransformCropReference<Dtype, Pixel>(const CropTransform<Dtype>&,              \
                                                     const cv::Mat&, Dtype*);

template struct CropTransform<float>;
template struct CropTransform<double>;
INSTANTIATE_CROP_TRANSFORM(float, uint8_t)
INSTANTIATE_CROP_TRANSFORM(float, float)
INSTANTIATE_CROP_TRANSFORM(double, uint8_t)
INSTANTIATE_CROP_TRANSFORM(double, float)

}  // namespace caffe
