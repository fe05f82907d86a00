#include "caffe/layers/crop_layer.hpp"

#include "caffe/layer_factory.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
void CropLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const CropParameter& p = this->layer_param_.crop_param();
  const int input_dim = bottom[0]->num_axes();
  const int start_axis = bottom[0]->CanonicalAxisIndex(p.axis());
  if (p.offset_size() > 1) {
    CAFFE_REQUIRE(start_axis + p.offset_size() == input_dim, ConfigError, this->Describe(),
                  ": ", p.offset_size(), " offsets given, but ", input_dim - start_axis,
                  " axes follow axis ", start_axis, " of bottom ", bottom[0]->shape_string());
  }
}

template <typename Dtype>
void CropLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                               const vector<Blob<Dtype>*>& top) {
  const CropParameter& p = this->layer_param_.crop_param();
  const int input_dim = bottom[0]->num_axes();
  const int start_axis = bottom[0]->CanonicalAxisIndex(p.axis());
  CAFFE_REQUIRE(bottom[1]->num_axes() >= input_dim, ShapeError, this->Describe(),
                ": the reference bottom ", bottom[1]->shape_string(), " has fewer axes than ",
                bottom[0]->shape_string());
  vector<int> new_shape = bottom[0]->shape();
  offsets_.assign(input_dim, 0);
  for (int i = start_axis; i < input_dim; ++i) {
    int offset = 0;
    if (p.offset_size() == 1) {
      offset = static_cast<int>(p.offset(0));
    } else if (p.offset_size() > 1) {
      offset = static_cast<int>(p.offset(i - start_axis));
    }
    CAFFE_REQUIRE(bottom[0]->shape(i) - offset >= bottom[1]->shape(i), ShapeError,
                  this->Describe(), ": cannot crop ", bottom[1]->shape(i), " from ",
                  bottom[0]->shape(i), " at offset ", offset, " on axis ", i, " (bottoms ",
                  bottom[0]->shape_string(), " and ", bottom[1]->shape_string(), ")");
    new_shape[i] = bottom[1]->shape(i);
    offsets_[i] = offset;
  }
  top[0]->Reshape(new_shape);
}

template <typename Dtype>
void CropLayer<Dtype>::CopyCrop(const Blob<Dtype>* full, const Blob<Dtype>* cropped, bool to_top,
                                const Dtype* source, Dtype* target) const {
  const int num_axes = cropped->num_axes();
  if (cropped->count() == 0) return;
  if (num_axes == 0) {
    target[0] = source[0];
    return;
  }
  const int row = cropped->shape(num_axes - 1);
  const int num_rows = cropped->count() / row;
  // Odometer over every axis but the last, in the cropped blob's index space.
  vector<int> index(num_axes, 0);
  for (int r = 0; r < num_rows; ++r) {
    vector<int> full_index(num_axes);
    for (int i = 0; i < num_axes; ++i) full_index[i] = index[i] + offsets_[i];
    const int full_offset = full->offset(full_index);
    const int cropped_offset = cropped->offset(index);
    if (to_top) {
      caffe_copy(row, source + full_offset, target + cropped_offset);
    } else {
      caffe_copy(row, source + cropped_offset, target + full_offset);
    }
    for (int i = num_axes - 2; i >= 0; --i) {
      if (++index[i] < cropped->shape(i)) break;
      index[i] = 0;
    }
  }
}

template <typename Dtype>
void CropLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  CopyCrop(bottom[0], top[0], true, bottom[0]->cpu_data(), top[0]->mutable_cpu_data());
}

template <typename Dtype>
void CropLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<Dtype>*>& bottom) {
  // The reference bottom only lends its shape: the output does not depend on
  // its values.
  if (propagate_down[1]) caffe_set(bottom[1]->count(), Dtype(0), bottom[1]->mutable_cpu_diff());
  if (!propagate_down[0]) return;
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  caffe_set(bottom[0]->count(), Dtype(0), bottom_diff);
  CopyCrop(bottom[0], top[0], false, top[0]->cpu_diff(), bottom_diff);
}

INSTANTIATE_CLASS(CropLayer);
REGISTER_LAYER_CLASS(Crop);

}  // namespace caffe
