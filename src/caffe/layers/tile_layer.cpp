#include "caffe/layers/tile_layer.hpp"

#include <climits>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void TileLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                               const vector<Blob<Dtype>*>& top) {
  const TileParameter& param = this->layer_param_.tile_param();
  const int axis = CheckedAxis(this->Describe(), "tile_param.axis", param.axis(), *bottom[0]);
  CAFFE_REQUIRE(param.has_tiles(), ConfigError, this->Describe(), " needs tile_param.tiles");
  CAFFE_REQUIRE(param.tiles() > 0, ConfigError, this->Describe(),
                ": tile_param.tiles must be positive, got ", param.tiles());
  tiles_ = param.tiles();
  // Only a single tile leaves the shape alone, so only then can the top be the bottom.
  CAFFE_REQUIRE(top[0] != bottom[0] || tiles_ == 1, ConfigError, this->Describe(),
                " cannot run in place with more than one tile");
  vector<int> top_shape = bottom[0]->shape();
  CAFFE_REQUIRE(static_cast<long long>(top_shape[axis]) * tiles_ <= INT_MAX, ShapeError,
                this->Describe(), ": ", tiles_, " tiles of bottom shape ",
                bottom[0]->shape_string(), " are too large");
  top_shape[axis] *= tiles_;
  top[0]->Reshape(top_shape);
  outer_dim_ = bottom[0]->count(0, axis);
  inner_dim_ = bottom[0]->count(axis);
}

template <typename Dtype>
void TileLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  for (int i = 0; i < outer_dim_; ++i, x += inner_dim_) {
    for (int t = 0; t < tiles_; ++t, y += inner_dim_) caffe_copy(inner_dim_, x, y);
  }
}

template <typename Dtype>
void TileLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const Dtype* dy = top[0]->cpu_diff();
  Dtype* dx = bottom[0]->mutable_cpu_diff();
  for (int i = 0; i < outer_dim_; ++i, dx += inner_dim_) {
    caffe_copy(inner_dim_, dy, dx);
    dy += inner_dim_;
    for (int t = 1; t < tiles_; ++t, dy += inner_dim_) {
      for (int j = 0; j < inner_dim_; ++j) dx[j] += dy[j];
    }
  }
}

INSTANTIATE_CLASS(TileLayer);
REGISTER_LAYER_CLASS(Tile);

}  // namespace caffe
