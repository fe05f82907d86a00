// Finite-difference gradient checking for layers.
//
// The objective is a fixed random linear function of all tops,
// L = sum_t sum_i w_ti * top_ti, so one backward pass yields the analytic
// gradient of every bottom and parameter element, and the numeric gradient
// needs two forwards per element (central difference, step 1e-2). An element
// passes when |analytic - numeric| <= threshold * max(|analytic|, |numeric|, 1)
// (threshold 1e-3 by default). Elements whose value lies within kink_range of
// `kink` are skipped for non-smooth layers (ReLU, max, abs).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

template <typename Dtype>
class GradientChecker {
 public:
  GradientChecker(Dtype stepsize = 1e-2, Dtype threshold = 1e-3, unsigned int seed = 1701,
                  Dtype kink = 0, Dtype kink_range = -1)
      : stepsize_(stepsize), threshold_(threshold), seed_(seed), kink_(kink),
        kink_range_(kink_range) {}

  // Checks every bottom (or only `check_bottom` when >= 0; -2 checks no bottom)
  // and every parameter blob of an already constructed layer.
  void CheckGradient(Layer<Dtype>* layer, const vector<Blob<Dtype>*>& bottom,
                     const vector<Blob<Dtype>*>& top, int check_bottom = -1) {
    layer->SetUp(bottom, top);
    vector<Blob<Dtype>*> checked;
    vector<bool> propagate_down(bottom.size(), check_bottom == -1);
    if (check_bottom >= 0) propagate_down[check_bottom] = true;
    for (size_t i = 0; i < bottom.size(); ++i) {
      if (propagate_down[i]) checked.push_back(bottom[i]);
    }
    for (auto& param : layer->blobs()) checked.push_back(param.get());

    // Fixed random weights for the objective.
    Caffe::set_random_seed(seed_ + 1);
    weights_.clear();
    Forward(layer, bottom, top);
    for (Blob<Dtype>* t : top) {
      weights_.emplace_back(t->count());
      caffe_rng_uniform<Dtype>(t->count(), -1, 1, weights_.back().data());
    }

    // Analytic gradients.
    Forward(layer, bottom, top);
    for (Blob<Dtype>* blob : checked) caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_diff());
    for (size_t t = 0; t < top.size(); ++t) {
      caffe_copy(top[t]->count(), weights_[t].data(), top[t]->mutable_cpu_diff());
    }
    Caffe::set_random_seed(seed_);
    layer->Backward(top, propagate_down, bottom);
    vector<vector<Dtype>> analytic;
    for (Blob<Dtype>* blob : checked) {
      analytic.emplace_back(blob->cpu_diff(), blob->cpu_diff() + blob->count());
    }

    for (size_t b = 0; b < checked.size(); ++b) {
      Blob<Dtype>* blob = checked[b];
      for (int i = 0; i < blob->count(); ++i) {
        const Dtype original = blob->cpu_data()[i];
        if (kink_range_ > 0 && std::fabs(original - kink_) < kink_range_) continue;
        blob->mutable_cpu_data()[i] = original + stepsize_;
        const Dtype plus = Forward(layer, bottom, top);
        blob->mutable_cpu_data()[i] = original - stepsize_;
        const Dtype minus = Forward(layer, bottom, top);
        blob->mutable_cpu_data()[i] = original;
        const Dtype numeric = (plus - minus) / (2 * stepsize_);
        const Dtype computed = analytic[b][i];
        const Dtype scale = std::max<Dtype>(
            std::max(std::fabs(computed), std::fabs(numeric)), Dtype(1));
        EXPECT_NEAR(computed, numeric, threshold_ * scale)
            << "checked blob " << b << " element " << i << " of " << layer->type();
      }
    }
  }

 private:
  Dtype Forward(Layer<Dtype>* layer, const vector<Blob<Dtype>*>& bottom,
                const vector<Blob<Dtype>*>& top) {
    Caffe::set_random_seed(seed_);
    layer->Forward(bottom, top);
    Dtype objective = 0;
    for (size_t t = 0; t < weights_.size(); ++t) {
      const Dtype* data = top[t]->cpu_data();
      for (int i = 0; i < top[t]->count(); ++i) objective += weights_[t][i] * data[i];
    }
    return objective;
  }

  Dtype stepsize_;
  Dtype threshold_;
  unsigned int seed_;
  Dtype kink_;
  Dtype kink_range_;
  vector<vector<Dtype>> weights_;
};

}  // namespace caffe
