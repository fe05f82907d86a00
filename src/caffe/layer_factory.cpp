#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
map<string, typename LayerRegistry<Dtype>::Creator>& LayerRegistry<Dtype>::Registry() {
  static map<string, Creator> registry;
  return registry;
}

template <typename Dtype>
void LayerRegistry<Dtype>::AddCreator(const string& type, Creator creator) {
  auto& registry = Registry();
  CHECK_EQ(registry.count(type), 0u) << "Layer type " << type << " is registered twice";
  registry[type] = std::move(creator);
}

template <typename Dtype>
bool LayerRegistry<Dtype>::Has(const string& type) {
  return Registry().count(type) > 0;
}

template <typename Dtype>
vector<string> LayerRegistry<Dtype>::LayerTypeList() {
  vector<string> types;
  for (const auto& entry : Registry()) types.push_back(entry.first);
  return types;
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> LayerRegistry<Dtype>::CreateLayer(const LayerParameter& param) {
  const string& type = param.type();
  auto& registry = Registry();
  auto it = registry.find(type);
  if (it == registry.end()) {
    std::ostringstream known;
    for (const auto& entry : registry) known << (known.tellp() > 0 ? ", " : "") << entry.first;
    CAFFE_THROW(ConfigError, "layer '", param.name(), "' has unknown type '", type,
                "' (known types: ", known.str(), ")");
  }
  return it->second(param);
}

template class LayerRegistry<float>;
template class LayerRegistry<double>;

}  // namespace caffe
