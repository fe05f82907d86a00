#include "caffe/layers/eltwise_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void EltwiseLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  const EltwiseParameter& param = this->layer_param_.eltwise_param();
  op_ = param.operation();
  CAFFE_REQUIRE(param.coeff_size() == 0 || param.coeff_size() == static_cast<int>(bottom.size()),
                ConfigError, this->Describe(), " has ", param.coeff_size(), " coeff values for ",
                bottom.size(), " bottoms; give one per bottom or none");
  CAFFE_REQUIRE(op_ == EltwiseParameter::SUM || param.coeff_size() == 0, ConfigError,
                this->Describe(), ": coeff applies only to operation SUM");
  coeffs_.assign(bottom.size(), Dtype(1));
  for (int i = 0; i < param.coeff_size(); ++i) coeffs_[i] = param.coeff(i);
  stable_prod_grad_ = param.stable_prod_grad();
}

template <typename Dtype>
void EltwiseLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  in_place_bottom_ = -1;
  for (size_t i = 0; i < bottom.size(); ++i) {
    CAFFE_REQUIRE(bottom[i]->shape() == bottom[0]->shape(), ShapeError, this->Describe(),
                  ": bottom ", i, " has shape ", bottom[i]->shape_string(), " but bottom 0 has ",
                  bottom[0]->shape_string());
    if (top[0] == bottom[i]) in_place_bottom_ = static_cast<int>(i);
  }
  top[0]->ReshapeLike(*bottom[0]);
  const int count = bottom[0]->count();
  if (op_ == EltwiseParameter::MAX) max_idx_.resize(count);
  const bool in_place = in_place_bottom_ >= 0;
  result_.resize(in_place ? count : 0);
  saved_input_.resize(in_place && op_ == EltwiseParameter::PROD ? count : 0);
  saved_top_diff_.resize(in_place ? count : 0);
}

template <typename Dtype>
void EltwiseLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const int count = top[0]->count();
  const bool in_place = in_place_bottom_ >= 0;
  if (in_place && op_ == EltwiseParameter::PROD) {
    caffe_copy(count, bottom[in_place_bottom_]->cpu_data(), saved_input_.data());
  }
  // In place, the result must not overwrite a bottom that is still being read.
  Dtype* top_data = in_place ? result_.data() : top[0]->mutable_cpu_data();
  switch (op_) {
    case EltwiseParameter::PROD:
      caffe_mul(count, bottom[0]->cpu_data(), bottom[1]->cpu_data(), top_data);
      for (size_t i = 2; i < bottom.size(); ++i) {
        caffe_mul(count, top_data, bottom[i]->cpu_data(), top_data);
      }
      break;
    case EltwiseParameter::SUM:
      caffe_set(count, Dtype(0), top_data);
      for (size_t i = 0; i < bottom.size(); ++i) {
        caffe_axpy(count, coeffs_[i], bottom[i]->cpu_data(), top_data);
      }
      break;
    case EltwiseParameter::MAX: {
      const Dtype* first = bottom[0]->cpu_data();
      const Dtype* second = bottom[1]->cpu_data();
      // Bottom 1 wins ties against bottom 0; later bottoms must be strictly larger.
      for (int j = 0; j < count; ++j) {
        const bool first_wins = first[j] > second[j];
        top_data[j] = first_wins ? first[j] : second[j];
        max_idx_[j] = first_wins ? 0 : 1;
      }
      for (size_t i = 2; i < bottom.size(); ++i) {
        const Dtype* data = bottom[i]->cpu_data();
        for (int j = 0; j < count; ++j) {
          if (data[j] > top_data[j]) {
            top_data[j] = data[j];
            max_idx_[j] = static_cast<int>(i);
          }
        }
      }
      break;
    }
    default:
      CAFFE_THROW(ConfigError, this->Describe(), ": unknown operation ", op_);
  }
  if (in_place) caffe_copy(count, result_.data(), top[0]->mutable_cpu_data());
}

template <typename Dtype>
void EltwiseLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                       const vector<bool>& propagate_down,
                                       const vector<Blob<Dtype>*>& bottom) {
  const int count = top[0]->count();
  const Dtype* top_data = top[0]->cpu_data();
  const Dtype* top_diff = top[0]->cpu_diff();
  if (in_place_bottom_ >= 0) {
    // The in-place bottom's diff is the top diff, which the other bottoms still need.
    caffe_copy(count, top_diff, saved_top_diff_.data());
    top_diff = saved_top_diff_.data();
  }
  auto input = [&](size_t j) {
    return static_cast<int>(j) == in_place_bottom_ && op_ == EltwiseParameter::PROD
               ? saved_input_.data()
               : bottom[j]->cpu_data();
  };
  for (size_t i = 0; i < bottom.size(); ++i) {
    if (!propagate_down[i]) continue;
    Dtype* bottom_diff = bottom[i]->mutable_cpu_diff();
    switch (op_) {
      case EltwiseParameter::PROD: {
        if (stable_prod_grad_) {
          bool started = false;
          for (size_t j = 0; j < bottom.size(); ++j) {
            if (j == i) continue;
            if (!started) {
              caffe_copy(count, input(j), bottom_diff);
              started = true;
            } else {
              caffe_mul(count, bottom_diff, input(j), bottom_diff);
            }
          }
        } else {
          caffe_div(count, top_data, input(i), bottom_diff);
        }
        caffe_mul(count, bottom_diff, top_diff, bottom_diff);
        break;
      }
      case EltwiseParameter::SUM:
        if (coeffs_[i] == Dtype(1)) {
          caffe_copy(count, top_diff, bottom_diff);
        } else {
          caffe_cpu_scale(count, coeffs_[i], top_diff, bottom_diff);
        }
        break;
      case EltwiseParameter::MAX:
        for (int j = 0; j < count; ++j) {
          bottom_diff[j] = max_idx_[j] == static_cast<int>(i) ? top_diff[j] : Dtype(0);
        }
        break;
      default:
        CAFFE_THROW(ConfigError, this->Describe(), ": unknown operation ", op_);
    }
  }
}

INSTANTIATE_CLASS(EltwiseLayer);
REGISTER_LAYER_CLASS(Eltwise);

}  // namespace caffe
