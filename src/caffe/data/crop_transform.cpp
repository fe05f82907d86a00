#include "caffe/data/crop_transform.hpp"

#include <emmintrin.h>
#include <tmmintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>

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

// Table lookups, three interleaved channels (BGR), written forwards or
// backwards (mirror) so the inner loop has no branch.
template <typename Dtype, bool kMirror>
void TableRow3(const Dtype* table, const uint8_t* in, int width, Dtype* out0, Dtype* out1,
               Dtype* out2) {
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

// (float(in[i]) - mean) * scale for 16 bytes, four floats at a time: the
// reference's expression in the same float operations, so the same bits.
// Mirrored, the 16 values land reversed at out[0..15].
template <bool kMirror>
inline void SixteenBytes(const uint8_t* in, __m128 mean, __m128 scale, float* out) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  const __m128i low = _mm_unpacklo_epi8(bytes, zero);
  const __m128i high = _mm_unpackhi_epi8(bytes, zero);
  const __m128i quads[4] = {_mm_unpacklo_epi16(low, zero), _mm_unpackhi_epi16(low, zero),
                            _mm_unpacklo_epi16(high, zero), _mm_unpackhi_epi16(high, zero)};
  for (int q = 0; q < 4; ++q) {
    __m128 values = _mm_mul_ps(_mm_sub_ps(_mm_cvtepi32_ps(quads[q]), mean), scale);
    if (kMirror) {
      _mm_storeu_ps(out + 12 - 4 * q, _mm_shuffle_ps(values, values, _MM_SHUFFLE(0, 1, 2, 3)));
    } else {
      _mm_storeu_ps(out + 4 * q, values);
    }
  }
}

// One channel's row of float output from bytes with a mean value (0 for
// none): computed 16 at a time into a cached row, then streamed out (rows of
// up to kRow values; longer ones are written directly).
template <bool kMirror>
void ArithmeticPlaneRow(const uint8_t* in, int width, float mean, float scale, float* out) {
  const int kRow = 1024;
  alignas(64) float row[kRow];
  float* target = width <= kRow ? row : out;
  const __m128 means = _mm_set1_ps(mean), scales = _mm_set1_ps(scale);
  int w = 0;
  for (; w + 16 <= width; w += 16) {
    SixteenBytes<kMirror>(in + w, means, scales, target + (kMirror ? width - 16 - w : w));
  }
  for (; w < width; ++w) {
    target[kMirror ? width - 1 - w : w] = (static_cast<float>(in[w]) - mean) * scale;
  }
  if (target == row) StreamRow(row, width, out);
}

// SplitChannels3 with SSSE3's byte shuffles: 16 pixels (48 bytes, three
// registers) at a time, each channel gathered from the three registers by
// one shuffle each.
__attribute__((target("ssse3"))) void SplitChannels3Ssse3(const uint8_t* in, int width,
                                                           uint8_t* out0, uint8_t* out1,
                                                           uint8_t* out2) {
  // masks[c][k]: for each of the 16 output bytes of channel c, its index in
  // input register k, or 0x80 (a zero byte) when it lies in another one.
  static const auto masks = [] {
    std::array<std::array<std::array<int8_t, 16>, 3>, 3> m{};
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < 3; ++k) {
        for (int pixel = 0; pixel < 16; ++pixel) {
          const int byte = 3 * pixel + c;
          m[c][k][pixel] = byte / 16 == k ? static_cast<int8_t>(byte % 16) : int8_t(-128);
        }
      }
    }
    return m;
  }();
  uint8_t* const outs[3] = {out0, out1, out2};
  int w = 0;
  for (; w + 16 <= width; w += 16) {
    const __m128i* block = reinterpret_cast<const __m128i*>(in + 3 * w);
    const __m128i registers[3] = {_mm_loadu_si128(block), _mm_loadu_si128(block + 1),
                                  _mm_loadu_si128(block + 2)};
    for (int c = 0; c < 3; ++c) {
      __m128i channel = _mm_setzero_si128();
      for (int k = 0; k < 3; ++k) {
        const __m128i mask = _mm_loadu_si128(reinterpret_cast<const __m128i*>(masks[c][k].data()));
        channel = _mm_or_si128(channel, _mm_shuffle_epi8(registers[k], mask));
      }
      _mm_storeu_si128(reinterpret_cast<__m128i*>(outs[c] + w), channel);
    }
  }
  SplitChannels3Reference(in + 3 * w, width - w, out0 + w, out1 + w, out2 + w);
}

// One channel's row through its table (double output).
template <typename Dtype, bool kMirror>
void TablePlaneRow(const Dtype* table, const uint8_t* in, int width, Dtype* out) {
  for (int w = 0; w < width; ++w) out[kMirror ? width - 1 - w : w] = table[in[w]];
}

template <typename Dtype, typename Pixel, bool kMirror>
void PlanarRows(const CropTransform<Dtype>& t, const Pixel* planes, Dtype* out) {
  for (int c = 0; c < t.channels; ++c) {
    for (int h = 0; h < t.height; ++h) {
      const Pixel* in =
          planes + (static_cast<size_t>(c) * t.image_height + t.h_off + h) * t.image_width +
          t.w_off;
      Dtype* row_out = out + (static_cast<size_t>(c) * t.height + h) * t.width;
      if constexpr (std::is_same<Pixel, uint8_t>::value) {
        if constexpr (std::is_same<Dtype, float>::value) {
          if (!t.mean_image) {
            ArithmeticPlaneRow<kMirror>(in, t.width, t.mean_values ? t.mean_values[c] : 0.0f,
                                        t.scale, row_out);
            continue;
          }
        }
        if (t.table) {
          TablePlaneRow<Dtype, kMirror>(t.table + 256 * c, in, t.width, row_out);
          continue;
        }
      }
      for (int w = 0; w < t.width; ++w) {
        row_out[kMirror ? t.width - 1 - w : w] = Transformed(t, in[w], c, h, w);
      }
    }
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

// Three interleaved channels of bytes to float planes: split into byte rows
// (in the cache), then each as a planar row.
template <bool kMirror>
void ArithmeticRow3(const CropTransform<float>& t, const uint8_t* in, float* row_out) {
  const int kRow = 1024;
  alignas(64) uint8_t channels[3][kRow];
  const int plane = t.height * t.width;
  for (int done = 0; done < t.width; done += kRow) {
    const int width = std::min(kRow, t.width - done);
    SplitChannels3(in + 3 * done, width, channels[0], channels[1], channels[2]);
    for (int c = 0; c < 3; ++c) {
      // Mirrored, the chunk at `done` lands at the row's other end.
      float* chunk_out = row_out + c * plane + (kMirror ? t.width - done - width : done);
      ArithmeticPlaneRow<kMirror>(channels[c], width, t.mean_values ? t.mean_values[c] : 0.0f,
                                  t.scale, chunk_out);
    }
  }
}

template <typename Dtype, typename Pixel, bool kMirror>
void Row(const CropTransform<Dtype>& t, const Pixel* in, int h, Dtype* out) {
  Dtype* row_out = out + static_cast<size_t>(h) * t.width;
  if constexpr (std::is_same<Pixel, uint8_t>::value && std::is_same<Dtype, float>::value) {
    if (!t.mean_image && t.channels <= 3 && t.channels != 2) {
      if (t.channels == 3) {
        ArithmeticRow3<kMirror>(t, in, row_out);
      } else {
        ArithmeticPlaneRow<kMirror>(in, t.width, t.mean_values ? t.mean_values[0] : 0.0f,
                                    t.scale, row_out);
      }
      return;
    }
  }
  if constexpr (std::is_same<Pixel, uint8_t>::value) {
    if (t.table) {
      const int plane = t.height * t.width;
      if (t.channels == 3) {
        TableRow3<Dtype, kMirror>(t.table, in, t.width, row_out, row_out + plane,
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

void SplitChannels3Reference(const uint8_t* in, int width, uint8_t* out0, uint8_t* out1,
                             uint8_t* out2) {
  for (int w = 0; w < width; ++w) {
    out0[w] = in[3 * w];
    out1[w] = in[3 * w + 1];
    out2[w] = in[3 * w + 2];
  }
}

void SplitChannels3(const uint8_t* in, int width, uint8_t* out0, uint8_t* out1, uint8_t* out2) {
  static const bool has_ssse3 = __builtin_cpu_supports("ssse3");
  if (has_ssse3) {
    SplitChannels3Ssse3(in, width, out0, out1, out2);
  } else {
    SplitChannels3Reference(in, width, out0, out1, out2);
  }
}

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

template <typename Dtype, typename Pixel>
void TransformCropPlanar(const CropTransform<Dtype>& transform, const Pixel* planes,
                         Dtype* out) {
  if (transform.mirror) {
    PlanarRows<Dtype, Pixel, true>(transform, planes, out);
  } else {
    PlanarRows<Dtype, Pixel, false>(transform, planes, out);
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
  template void TransformCropPlanar<Dtype, Pixel>(const CropTransform<Dtype>&, const Pixel*,   \
                                                  Dtype*);                                     \
  template void TransformCropReference<Dtype, Pixel>(const CropTransform<Dtype>&,              \
                                                     const cv::Mat&, Dtype*);

template struct CropTransform<float>;
template struct CropTransform<double>;
INSTANTIATE_CROP_TRANSFORM(float, uint8_t)
INSTANTIATE_CROP_TRANSFORM(float, float)
INSTANTIATE_CROP_TRANSFORM(double, uint8_t)
INSTANTIATE_CROP_TRANSFORM(double, float)

}  // namespace caffe
