#include "caffe/layers/contrastive_loss_layer.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ContrastiveLossLayer<Dtype>::CheckShapes(const vector<Blob<Dtype>*>& bottom) const {
  const Blob<Dtype>& a = *bottom[0];
  const Blob<Dtype>& b = *bottom[1];
  const Blob<Dtype>& y = *bottom[2];
  CAFFE_REQUIRE(a.num_axes() > 0 && b.num_axes() > 0 && y.num_axes() > 0 && a.num() == b.num() &&
                    a.num() == y.num() && a.channels() == b.channels() && a.height() == 1 &&
                    a.width() == 1 && b.height() == 1 && b.width() == 1 && y.channels() == 1 &&
                    y.height() == 1 && y.width() == 1,
                ShapeError, this->Describe(), " needs two N x C (x 1 x 1) features and an ",
                "N x 1 (x 1 x 1) similarity label, but has shapes ", a.shape_string(), ", ",
                b.shape_string(), " and ", y.shape_string());
}

template <typename Dtype>
void ContrastiveLossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                             const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::LayerSetUp(bottom, top);
  CheckShapes(bottom);
}

template <typename Dtype>
void ContrastiveLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  CheckShapes(bottom);
  LossLayer<Dtype>::Reshape(bottom, top);
  diff_.Reshape(bottom[0]->num(), bottom[0]->channels(), 1, 1);
  dist_sq_.resize(bottom[0]->num());
}

template <typename Dtype>
void ContrastiveLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                              const vector<Blob<Dtype>*>& top) {
  const int num = bottom[0]->num();
  const int channels = bottom[0]->channels();
  caffe_sub(bottom[0]->count(), bottom[0]->cpu_data(), bottom[1]->cpu_data(),
            diff_.mutable_cpu_data());
  const Dtype* diff = diff_.cpu_data();
  const Dtype* similar = bottom[2]->cpu_data();
  const ContrastiveLossParameter& param = this->layer_param_.contrastive_loss_param();
  const Dtype margin = param.margin();
  Dtype loss = 0;
  for (int i = 0; i < num; ++i) {
    dist_sq_[i] = caffe_cpu_dot(channels, diff + i * channels, diff + i * channels);
    if (static_cast<int>(similar[i])) {
      loss += dist_sq_[i];
    } else if (param.legacy_version()) {
      loss += std::max(margin - dist_sq_[i], Dtype(0));
    } else {
      const Dtype gap = std::max(margin - std::sqrt(dist_sq_[i]), Dtype(0));
      loss += gap * gap;
    }
  }
  top[0]->mutable_cpu_data()[0] = loss / static_cast<Dtype>(num) / Dtype(2);
}

template <typename Dtype>
void ContrastiveLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                               const vector<bool>& propagate_down,
                                               const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 2);
  const int num = bottom[0]->num();
  const int channels = bottom[0]->channels();
  const Dtype* diff = diff_.cpu_data();
  const Dtype* similar = bottom[2]->cpu_data();
  const ContrastiveLossParameter& param = this->layer_param_.contrastive_loss_param();
  const Dtype margin = param.margin();
  for (int b = 0; b < 2; ++b) {
    if (!propagate_down[b]) continue;
    const Dtype sign = (b == 0) ? 1 : -1;
    const Dtype alpha = sign * top[0]->cpu_diff()[0] / static_cast<Dtype>(num);
    Dtype* bottom_diff = bottom[b]->mutable_cpu_diff();
    for (int i = 0; i < num; ++i) {
      Dtype* out = bottom_diff + i * channels;
      const Dtype* d = diff + i * channels;
      if (static_cast<int>(similar[i])) {
        caffe_cpu_axpby(channels, alpha, d, Dtype(0), out);
        continue;
      }
      Dtype gap, beta;
      if (param.legacy_version()) {
        gap = margin - dist_sq_[i];
        beta = -alpha;
      } else {
        const Dtype dist = std::sqrt(dist_sq_[i]);
        gap = margin - dist;
        // 1e-4 keeps the division finite for identical features.
        beta = -alpha * gap / (dist + Dtype(1e-4));
      }
      if (gap > Dtype(0)) {
        caffe_cpu_axpby(channels, beta, d, Dtype(0), out);
      } else {
        caffe_set(channels, Dtype(0), out);
      }
    }
  }
}

INSTANTIATE_CLASS(ContrastiveLossLayer);
REGISTER_LAYER_CLASS(ContrastiveLoss);

}  // namespace caffe
