#include "caffe/layers/data_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

namespace {

RecordLayerSettings DataSettings(const LayerParameter& param) {
  const DataParameter& data_param = param.data_param();
  if (data_param.rand_skip()) {
    // Upstream Caffe 1.0's Data layer reads from the first record whatever
    // rand_skip says (and takes no random draw for it); so do we.
    LOG(WARNING) << "layer '" << param.name() << "': data_param.rand_skip is ignored, as in "
                 << "Caffe 1.0";
  }
  RecordLayerSettings settings = CommonRecordSettings("data_param", data_param);
  settings.backend = data_param.backend();
  return settings;
}

}  // namespace

template <typename Dtype>
DataLayer<Dtype>::DataLayer(const LayerParameter& param)
    : RecordDataLayer<Dtype>(param, DataSettings(param), MakeDatumFormat(param)) {}

INSTANTIATE_CLASS(DataLayer);
REGISTER_LAYER_CLASS(Data);

}  // namespace caffe
