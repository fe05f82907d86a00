#include "caffe/layers/triplet_loss_layer.hpp"

#include <algorithm>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/l2_normalize.hpp"
#include "caffe/layers/triplet_bottoms.hpp"

namespace caffe {

template <typename Dtype>
void TripletLossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                         const vector<Blob<Dtype>*>& top) {
  const TripletLossParameter& param = this->layer_param_.triplet_loss_param();
  CheckTripletSetup(bottom.size(), param, this->Describe());
  margin_ = param.margin();
  eps_ = param.eps();
  normalize_ = param.normalize();
  distance_ = param.distance();
  // Like every loss layer: the loss counts with weight 1 unless told otherwise,
  // and the active fraction is only reported.
  if (this->layer_param_.loss_weight_size() == 0) {
    this->layer_param_.add_loss_weight(1);
    if (top.size() > 1) this->layer_param_.add_loss_weight(0);
  }
}

template <typename Dtype>
void TripletLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  num_ = CountTriplets(bottom, this->Describe());
  dim_ = bottom[0]->count(1);
  for (Blob<Dtype>* t : top) t->Reshape(vector<int>());
  const size_t rows = 3 * static_cast<size_t>(num_);
  embedding_.assign(rows * dim_, Dtype(0));
  embedding_norms_.assign(rows, Dtype(1));
  unit_.assign(distance_ == TripletLossParameter::COSINE ? rows * dim_ : 0, Dtype(0));
  unit_norms_.assign(distance_ == TripletLossParameter::COSINE ? rows : 0, Dtype(1));
  active_.assign(num_, false);
  grad_.assign(rows * dim_, Dtype(0));
}

template <typename Dtype>
void TripletLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  const int block = num_ * dim_;
  // Gather anchors, positives and negatives into one 3N x D array.
  for (int role = 0; role < 3; ++role) {
    const Dtype* rows = bottom.size() == 1 ? bottom[0]->cpu_data() + role * block
                                           : bottom[role]->cpu_data();
    caffe_copy(block, rows, embedding_.data() + role * block);
  }
  if (normalize_) {
    L2NormalizeForward(3 * num_, dim_, 1, eps_, embedding_.data(), embedding_.data(),
                       embedding_norms_.data());
  }
  const bool cosine = distance_ == TripletLossParameter::COSINE;
  if (cosine) {
    L2NormalizeForward(3 * num_, dim_, 1, eps_, embedding_.data(), unit_.data(),
                       unit_norms_.data());
  }
  const Dtype* e = cosine ? unit_.data() : embedding_.data();
  Dtype loss = 0;
  int num_active = 0;
  for (int k = 0; k < num_; ++k) {
    const Dtype* a = e + k * dim_;
    const Dtype* p = a + block;
    const Dtype* n = a + 2 * block;
    Dtype d_ap = 0, d_an = 0;
    if (cosine) {
      Dtype dot_ap = 0, dot_an = 0;
      for (int j = 0; j < dim_; ++j) {
        dot_ap += a[j] * p[j];
        dot_an += a[j] * n[j];
      }
      d_ap = 1 - dot_ap;
      d_an = 1 - dot_an;
    } else {
      for (int j = 0; j < dim_; ++j) {
        d_ap += (a[j] - p[j]) * (a[j] - p[j]);
        d_an += (a[j] - n[j]) * (a[j] - n[j]);
      }
    }
    const Dtype hinge = margin_ + d_ap - d_an;
    active_[k] = hinge > 0;
    if (active_[k]) {
      loss += hinge;
      ++num_active;
    }
  }
  top[0]->mutable_cpu_data()[0] = loss / num_;
  if (top.size() > 1) top[1]->mutable_cpu_data()[0] = Dtype(num_active) / num_;
}

template <typename Dtype>
void TripletLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                           const vector<bool>& propagate_down,
                                           const vector<Blob<Dtype>*>& bottom) {
  if (std::none_of(propagate_down.begin(), propagate_down.end(), [](bool b) { return b; })) {
    return;
  }
  const int block = num_ * dim_;
  const bool cosine = distance_ == TripletLossParameter::COSINE;
  const Dtype scale = top[0]->cpu_diff()[0] / num_;
  // Gradient with respect to the vectors the distances are computed on
  // (the unit vectors for COSINE, else the embeddings e).
  std::fill(grad_.begin(), grad_.end(), Dtype(0));
  const Dtype* e = cosine ? unit_.data() : embedding_.data();
  for (int k = 0; k < num_; ++k) {
    if (!active_[k]) continue;
    const Dtype* a = e + k * dim_;
    const Dtype* p = a + block;
    const Dtype* n = a + 2 * block;
    Dtype* ga = grad_.data() + k * dim_;
    Dtype* gp = ga + block;
    Dtype* gn = ga + 2 * block;
    for (int j = 0; j < dim_; ++j) {
      if (cosine) {
        // d(a,p) - d(a,n) = a.n - a.p
        ga[j] = scale * (n[j] - p[j]);
        gp[j] = -scale * a[j];
        gn[j] = scale * a[j];
      } else {
        // |a-p|^2 - |a-n|^2
        ga[j] = 2 * scale * (n[j] - p[j]);
        gp[j] = -2 * scale * (a[j] - p[j]);
        gn[j] = 2 * scale * (a[j] - n[j]);
      }
    }
  }
  if (cosine) {
    L2NormalizeBackward(3 * num_, dim_, 1, unit_.data(), unit_norms_.data(), grad_.data(),
                        grad_.data());
  }
  if (normalize_) {
    L2NormalizeBackward(3 * num_, dim_, 1, embedding_.data(), embedding_norms_.data(),
                        grad_.data(), grad_.data());
  }
  for (int role = 0; role < 3; ++role) {
    const int bottom_id = bottom.size() == 1 ? 0 : role;
    if (!propagate_down[bottom_id]) continue;
    Dtype* rows = bottom[bottom_id]->mutable_cpu_diff() + (bottom.size() == 1 ? role * block : 0);
    caffe_copy(block, grad_.data() + role * block, rows);
  }
}

INSTANTIATE_CLASS(TripletLossLayer);
REGISTER_LAYER_CLASS(TripletLoss);

}  // namespace caffe
