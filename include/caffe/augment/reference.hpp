// Slow reference implementation of the augmentation pipeline.
//
// It executes a SampledParams one operation at a time, in double precision,
// straight from the definitions in docs/augmentation.md: every output pixel's
// source point is the matrix product, interpolation reads the padded image
// tap by tap, each pixel operation is a separate pass. It exists to check the
// fast Augmenter::Render (tests compare the two) and to debug; it is orders
// of magnitude slower. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "caffe/augment/augmenter.hpp"

namespace caffe {
namespace augment {
namespace reference {

// Value of channel k of the padded source at point (x, y).
double SamplePoint(const uint8_t* src, int h, int w, int c, int k, double x,
                   double y, AugmentationParameter::Interpolation interpolation,
                   AugmentationParameter::Padding padding,
                   const std::vector<float>& fill);

// The interpolated image (out_height x out_width x c, HWC) before rounding.
std::vector<double> Warp(const AugmentationParameter& param,
                         const uint8_t* src, const SampledParams& params);

// The whole pipeline; `out->layout` selects the output as in Render.
void Render(const AugmentationParameter& param, const uint8_t* src,
            const SampledParams& params, AugmentedImage* out);

}  // namespace reference
}  // namespace augment
}  // namespace caffe
