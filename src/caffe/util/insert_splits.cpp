#include <string>

#include "caffe/net.hpp"

namespace caffe {

namespace {

string SplitLayerName(const string& layer_name, const string& blob_name, int blob_idx) {
  return internal::Concat(blob_name, "_", layer_name, "_", blob_idx, "_split");
}

string SplitBlobName(const string& layer_name, const string& blob_name, int blob_idx,
                     int split_idx) {
  return internal::Concat(blob_name, "_", layer_name, "_", blob_idx, "_split_", split_idx);
}

}  // namespace

void InsertSplits(const NetParameter& param, NetParameter* param_split) {
  param_split->CopyFrom(param);
  param_split->clear_layer();
  // For every (layer, top) producing a blob: how many consumers it has (an
  // explicit non-zero loss weight counts as one), and which consumer gets
  // which split output.
  map<string, pair<int, int>> blob_producer;
  map<pair<int, int>, int> consumer_count;
  map<pair<int, int>, pair<int, int>> bottom_source;
  map<pair<int, int>, float> top_loss_weight;
  map<pair<int, int>, int> next_split_index;
  for (int i = 0; i < param.layer_size(); ++i) {
    const LayerParameter& layer = param.layer(i);
    for (int j = 0; j < layer.bottom_size(); ++j) {
      auto it = blob_producer.find(layer.bottom(j));
      // An unknown bottom is reported by Net::Init with the layer's name.
      if (it == blob_producer.end()) continue;
      bottom_source[{i, j}] = it->second;
      ++consumer_count[it->second];
    }
    for (int j = 0; j < layer.top_size(); ++j) {
      blob_producer[layer.top(j)] = {i, j};
      if (j < layer.loss_weight_size()) {
        top_loss_weight[{i, j}] = layer.loss_weight(j);
        if (layer.loss_weight(j)) ++consumer_count[{i, j}];
      }
    }
  }
  for (int i = 0; i < param.layer_size(); ++i) {
    LayerParameter* layer = param_split->add_layer();
    layer->CopyFrom(param.layer(i));
    for (int j = 0; j < layer->bottom_size(); ++j) {
      auto source = bottom_source.find({i, j});
      if (source == bottom_source.end()) continue;
      if (consumer_count[source->second] <= 1) continue;
      const LayerParameter& producer = param.layer(source->second.first);
      const int split_index = next_split_index[source->second]++;
      layer->set_bottom(j, SplitBlobName(producer.name(), layer->bottom(j),
                                         source->second.second, split_index));
    }
    for (int j = 0; j < layer->top_size(); ++j) {
      const int count = consumer_count[{i, j}];
      if (count <= 1) continue;
      const float loss_weight = top_loss_weight.count({i, j}) ? top_loss_weight[{i, j}] : 0.f;
      const string& blob_name = layer->top(j);
      LayerParameter* split = param_split->add_layer();
      split->set_name(SplitLayerName(layer->name(), blob_name, j));
      split->set_type("Split");
      split->add_bottom(blob_name);
      for (int k = 0; k < count; ++k) {
        split->add_top(SplitBlobName(layer->name(), blob_name, j, k));
        if (loss_weight) split->add_loss_weight(k == 0 ? loss_weight : 0.f);
      }
      if (loss_weight) {
        // The split's first output now carries the loss.
        layer->clear_loss_weight();
        ++next_split_index[{i, j}];
      }
    }
  }
}

}  // namespace caffe
