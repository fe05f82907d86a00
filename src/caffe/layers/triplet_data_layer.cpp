#include "caffe/layers/triplet_data_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

namespace {

RecordLayerSettings TripletSettings(const LayerParameter& param) {
  const TripletDataParameter& triplet = param.triplet_data_param();
  RecordLayerSettings settings = CommonRecordSettings("triplet_data_param", triplet);
  settings.backend = triplet.backend();
  settings.fixed_shape = true;
  settings.layout = triplet.layout() == TripletDataParameter::CHANNELS
                        ? RecordLayerSettings::ITEM_MAJOR
                        : RecordLayerSettings::SLOT_MAJOR;
  settings.scalar_labels = false;
  settings.image_tops = triplet.layout() == TripletDataParameter::SEPARATE ? 3 : 1;
  return settings;
}

}  // namespace

template <typename Dtype>
TripletDataLayer<Dtype>::TripletDataLayer(const LayerParameter& param)
    : RecordDataLayer<Dtype>(param, TripletSettings(param), MakeTripletDatumFormat(param)) {}

INSTANTIATE_CLASS(TripletDataLayer);
REGISTER_LAYER_CLASS(TripletData);

}  // namespace caffe
