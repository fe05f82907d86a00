// Deterministic views (views_param): the fixed list of exact transforms - the
// rotations by multiples of 90 degrees, each with or without a horizontal
// flip - under which a data layer emits every record, as consecutive items of
// its batch (see ViewsParameter in caffe.proto and docs/data.md).
//
// All functions are pure and thread-safe.
#pragma once

#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

typedef ViewsParameter::View View;

// The views in emission order: the preset's, then the listed ones;
// {IDENTITY} when the parameter names none.
vector<View> ResolveViews(const ViewsParameter& param);

// Whether the view turns the image by 90 or 270 degrees (H x W becomes
// W x H).
bool TurnsSideways(View view);

// Writes `view` of the channels x height x width item `in` to `out` (which
// must not overlap it): flip first (FLIP_*), then rotate counter-clockwise on
// screen. `out` is channels x width x height when TurnsSideways(view).
template <typename Dtype>
void ApplyView(View view, const Dtype* in, int channels, int height, int width, Dtype* out);

}  // namespace caffe
