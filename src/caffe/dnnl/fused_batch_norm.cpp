#include "caffe/dnnl/fused_batch_norm.hpp"

#include <algorithm>
#include <cstddef>

namespace caffe {
namespace fused_batch_norm {

namespace {

// The first cell of channel c of image n.
inline std::ptrdiff_t Plane(const Shape& shape, int n, int c) {
  return (std::ptrdiff_t(n) * shape.channels + c) * shape.spatial;
}

}  // namespace

void Statistics(const Shape& shape, const float* x, float* mean, float* variance) {
  const double count = double(shape.num) * shape.spatial;
#pragma omp parallel for schedule(static)
  for (int c = 0; c < shape.channels; ++c) {
    // Sums of x - shift, with a shift from the channel's own values, keep
    // the variance exact when the mean is large against the spread.
    const float shift = x[Plane(shape, 0, c)];
    double sum = 0, sum_squares = 0;
    for (int n = 0; n < shape.num; ++n) {
      const float* plane = x + Plane(shape, n, c);
      float s = 0, q = 0;
#pragma omp simd reduction(+ : s, q)
      for (int i = 0; i < shape.spatial; ++i) {
        const float d = plane[i] - shift;
        s += d;
        q += d * d;
      }
      sum += s;
      sum_squares += q;
    }
    const double centred = sum / count;
    mean[c] = static_cast<float>(shift + centred);
    variance[c] = static_cast<float>(std::max(0.0, sum_squares / count - centred * centred));
  }
}

void Forward(const Shape& shape, const float* x, const float* a, const float* b, bool relu,
             float* saved, float* y) {
#pragma omp parallel for schedule(static)
  for (int c = 0; c < shape.channels; ++c) {
    const float scale = a[c], shift = b[c];
    const float floor = relu ? 0.0f : -__builtin_inff();
    for (int n = 0; n < shape.num; ++n) {
      const std::ptrdiff_t offset = Plane(shape, n, c);
      const float* in = x + offset;
      float* out = y + offset;
      if (saved != nullptr) {
        float* keep = saved + offset;
#pragma omp simd
        for (int i = 0; i < shape.spatial; ++i) {
          const float value = in[i];
          keep[i] = value;
          const float result = scale * value + shift;
          out[i] = result > floor ? result : floor;
        }
      } else {
#pragma omp simd
        for (int i = 0; i < shape.spatial; ++i) {
          const float result = scale * in[i] + shift;
          out[i] = result > floor ? result : floor;
        }
      }
    }
  }
}

void Reduce(const Shape& shape, const float* dy, const float* x, const float* a, const float* b,
            const float* mean, bool relu, double* sum_g, double* sum_gx) {
#pragma omp parallel for schedule(static)
  for (int c = 0; c < shape.channels; ++c) {
    const float scale = a[c], shift = b[c], centre = mean[c];
    double total_g = 0, total_gx = 0;
    for (int n = 0; n < shape.num; ++n) {
      const std::ptrdiff_t offset = Plane(shape, n, c);
      const float* diff = dy + offset;
      const float* in = x + offset;
      float s = 0, q = 0;
#pragma omp simd reduction(+ : s, q)
      for (int i = 0; i < shape.spatial; ++i) {
        const float value = in[i];
        const float g = !relu || scale * value + shift > 0 ? diff[i] : 0.0f;
        s += g;
        q += g * (value - centre);
      }
      total_g += s;
      total_gx += q;
    }
    sum_g[c] = total_g;
    sum_gx[c] = total_gx;
  }
}

void BackwardData(const Shape& shape, const float* dy, const float* x, const float* a,
                  const float* b, const float* mean, const float* k0, const float* k1, bool relu,
                  float* dx) {
#pragma omp parallel for schedule(static)
  for (int c = 0; c < shape.channels; ++c) {
    const float scale = a[c], shift = b[c], centre = mean[c], constant = k0[c], slope = k1[c];
    for (int n = 0; n < shape.num; ++n) {
      const std::ptrdiff_t offset = Plane(shape, n, c);
      const float* diff = dy + offset;
      const float* in = x + offset;
      float* out = dx + offset;
#pragma omp simd
      for (int i = 0; i < shape.spatial; ++i) {
        const float value = in[i];
        const float g = !relu || scale * value + shift > 0 ? diff[i] : 0.0f;
        out[i] = scale * g + constant + slope * (value - centre);
      }
    }
  }
}

}  // namespace fused_batch_norm
}  // namespace caffe
