// AccuracyLayer: the fraction of positions whose label is among the top_k
// scores (accuracy_param: top_k default 1, axis default 1, ignore_label).
// The true class's score counts as beaten by every score >= it, so ties go
// against the prediction, as upstream. Labels equal to ignore_label are
// skipped; others outside [0, C) throw DataError.
// Bottoms: scores (classes along `axis`) and labels (count outer * inner).
// Tops: the accuracy (scalar; 0 when nothing was counted) and optionally
// per-class accuracies (shape {C}; 0 for classes that did not occur).
// Not a loss and has no gradient.
#pragma once

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class AccuracyLayer : public Layer<Dtype> {
 public:
  explicit AccuracyLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Accuracy"; }
  int ExactNumBottomBlobs() const override { return 2; }
  int MinTopBlobs() const override { return 1; }
  int MaxTopBlobs() const override { return 2; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Throws ConfigError when any gradient is asked for.
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  int top_k_ = 1;
  bool has_ignore_label_ = false;
  int ignore_label_ = 0;
  int label_axis_ = 1;
  int outer_num_ = 0;
  int inner_num_ = 0;
  vector<int> class_counts_;  // occurrences of each class in the last batch
};

}  // namespace caffe
