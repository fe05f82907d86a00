#include "caffe/layers/infogain_loss_layer.hpp"

#include <algorithm>
#include <cmath>

#include "caffe/layer_factory.hpp"
#include "caffe/util/io.hpp"

namespace caffe {

namespace {
constexpr float kLogThreshold = 1e-20;
}  // namespace

template <typename Dtype>
void InfogainLossLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::LayerSetUp(bottom, top);
  const InfogainLossParameter& infogain_param = this->layer_param_.infogain_loss_param();
  LayerParameter softmax_param(this->layer_param_);
  softmax_param.set_type("Softmax");
  softmax_param.mutable_softmax_param()->set_axis(infogain_param.axis());
  softmax_param.clear_loss_weight();
  softmax_param.clear_bottom();
  softmax_param.clear_top();
  softmax_layer_ = LayerRegistry<Dtype>::CreateLayer(softmax_param);
  softmax_bottom_vec_ = {bottom[0]};
  softmax_top_vec_ = {&prob_};
  softmax_layer_->SetUp(softmax_bottom_vec_, softmax_top_vec_);

  const LossParameter& loss_param = this->layer_param_.loss_param();
  has_ignore_label_ = loss_param.has_ignore_label();
  ignore_label_ = loss_param.ignore_label();
  CAFFE_REQUIRE(!loss_param.has_normalize(), ConfigError, this->Describe(),
                ": loss_param.normalize is not supported here; use loss_param.normalization");
  normalization_ = loss_param.normalization();

  if (bottom.size() < 3) {
    CAFFE_REQUIRE(infogain_param.has_source(), ConfigError, this->Describe(),
                  " needs the infogain matrix, either as a third bottom or in ",
                  "infogain_loss_param.source");
    BlobProto blob_proto;
    try {
      ReadProtoFromBinaryFile(infogain_param.source(), &blob_proto);
    } catch (const IOError& error) {
      CAFFE_THROW(IOError, this->Describe(), ": ", error.what());
    } catch (const ParseError& error) {
      CAFFE_THROW(ParseError, this->Describe(), ": ", error.what());
    }
    try {
      infogain_.FromProto(blob_proto);
    } catch (const Error& error) {
      RethrowWithContext(error, internal::Concat(this->Describe(), ": infogain matrix ",
                                                 infogain_param.source(), ": "));
    }
  }
}

template <typename Dtype>
void InfogainLossLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  LossLayer<Dtype>::Reshape(bottom, top);
  softmax_bottom_vec_[0] = bottom[0];
  softmax_layer_->Reshape(softmax_bottom_vec_, softmax_top_vec_);
  infogain_axis_ =
      bottom[0]->CanonicalAxisIndex(this->layer_param_.infogain_loss_param().axis());
  outer_num_ = bottom[0]->count(0, infogain_axis_);
  inner_num_ = bottom[0]->count(infogain_axis_ + 1);
  CAFFE_REQUIRE(outer_num_ * inner_num_ == bottom[1]->count(), ShapeError, this->Describe(),
                ": prediction shape ", bottom[0]->shape_string(), " with infogain axis ",
                infogain_axis_, " needs ", outer_num_ * inner_num_,
                " labels, but the label blob has shape ", bottom[1]->shape_string());
  num_labels_ = bottom[0]->shape(infogain_axis_);
  const Blob<Dtype>& infogain = Infogain(bottom);
  CAFFE_REQUIRE(infogain.count() == num_labels_ * num_labels_, ShapeError, this->Describe(),
                ": the infogain matrix must be ", num_labels_, " x ", num_labels_,
                " for prediction shape ", bottom[0]->shape_string(), ", but has shape ",
                infogain.shape_string());
  // A matrix from `source` never changes, so its row sums are taken here; one
  // given as a bottom may change and is summed in every backward pass.
  if (bottom.size() < 3) SumRowsOfH(infogain);
  if (top.size() >= 2) top[1]->ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void InfogainLossLayer<Dtype>::SumRowsOfH(const Blob<Dtype>& infogain) {
  const Dtype* H = infogain.cpu_data();
  sum_rows_H_.assign(num_labels_, Dtype(0));
  for (int row = 0; row < num_labels_; ++row) {
    for (int col = 0; col < num_labels_; ++col) sum_rows_H_[row] += H[row * num_labels_ + col];
  }
}

template <typename Dtype>
void InfogainLossLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                           const vector<Blob<Dtype>*>& top) {
  softmax_layer_->Forward(softmax_bottom_vec_, softmax_top_vec_);
  const Dtype* prob = prob_.cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  const Dtype* H = Infogain(bottom).cpu_data();
  const int dim = num_labels_ * inner_num_;
  int valid_count = 0;
  Dtype loss = 0;
  for (int i = 0; i < outer_num_; ++i) {
    for (int j = 0; j < inner_num_; ++j) {
      const Dtype raw_label = label[i * inner_num_ + j];
      if (Ignored(static_cast<int>(raw_label))) continue;
      const int l = this->ClassIndex(raw_label, num_labels_);
      for (int k = 0; k < num_labels_; ++k) {
        loss -= H[l * num_labels_ + k] *
                std::log(std::max(prob[i * dim + k * inner_num_ + j], Dtype(kLogThreshold)));
      }
      ++valid_count;
    }
  }
  top[0]->mutable_cpu_data()[0] =
      loss / this->Normalizer(normalization_, outer_num_, inner_num_, valid_count);
  if (top.size() == 2) top[1]->ShareData(prob_);
}

template <typename Dtype>
void InfogainLossLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                            const vector<bool>& propagate_down,
                                            const vector<Blob<Dtype>*>& bottom) {
  this->RefuseLabelGradient(propagate_down, 1);
  CAFFE_REQUIRE(propagate_down.size() < 3 || !propagate_down[2], ConfigError, this->Describe(),
                " cannot backpropagate to its infogain matrix input (bottom 2)");
  if (!propagate_down[0]) return;
  if (bottom.size() >= 3) SumRowsOfH(*bottom[2]);
  const Dtype* prob = prob_.cpu_data();
  const Dtype* label = bottom[1]->cpu_data();
  const Dtype* H = Infogain(bottom).cpu_data();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int dim = num_labels_ * inner_num_;
  int valid_count = 0;
  // d loss / d x_k = p_k * sum_m H[l, m] - H[l, k] (before normalising).
  for (int i = 0; i < outer_num_; ++i) {
    for (int j = 0; j < inner_num_; ++j) {
      const Dtype raw_label = label[i * inner_num_ + j];
      if (Ignored(static_cast<int>(raw_label))) {
        for (int k = 0; k < num_labels_; ++k) bottom_diff[i * dim + k * inner_num_ + j] = 0;
        continue;
      }
      const int l = this->ClassIndex(raw_label, num_labels_);
      for (int k = 0; k < num_labels_; ++k) {
        const int index = i * dim + k * inner_num_ + j;
        bottom_diff[index] = prob[index] * sum_rows_H_[l] - H[l * num_labels_ + k];
      }
      ++valid_count;
    }
  }
  const Dtype loss_weight = top[0]->cpu_diff()[0] /
                            this->Normalizer(normalization_, outer_num_, inner_num_, valid_count);
  caffe_scal(bottom[0]->count(), loss_weight, bottom_diff);
}

INSTANTIATE_CLASS(InfogainLossLayer);
REGISTER_LAYER_CLASS(InfogainLoss);

}  // namespace caffe
