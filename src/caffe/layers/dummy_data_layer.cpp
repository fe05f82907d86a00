#include "caffe/layers/dummy_data_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void DummyDataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const DummyDataParameter& param = this->layer_param_.dummy_data_param();
  const int num_tops = static_cast<int>(top.size());
  const int num_fillers = param.data_filler_size();
  CAFFE_REQUIRE(num_fillers == 0 || num_fillers == 1 || num_fillers == num_tops, ConfigError,
                this->Describe(), " has ", num_fillers, " data_filler entries for ", num_tops,
                " tops; give none, one for all, or one per top");
  auto once_or_per_top = [&](int size, const char* field) {
    CAFFE_REQUIRE(size == 1 || size == num_tops, ConfigError, this->Describe(), " has ", size,
                  " ", field, " entries for ", num_tops, " tops; give one for all or one per top");
  };
  const bool legacy = param.num_size() > 0 || param.channels_size() > 0 ||
                      param.height_size() > 0 || param.width_size() > 0;
  if (legacy) {
    CAFFE_REQUIRE(param.shape_size() == 0, ConfigError, this->Describe(),
                  " sets both shape and the legacy num/channels/height/width");
    once_or_per_top(param.num_size(), "num");
    once_or_per_top(param.channels_size(), "channels");
    once_or_per_top(param.height_size(), "height");
    once_or_per_top(param.width_size(), "width");
  } else {
    once_or_per_top(param.shape_size(), "shape");
  }

  fillers_.clear();
  constant_.clear();
  if (num_fillers <= 1) {
    FillerParameter filler;
    if (num_fillers == 1) filler = param.data_filler(0);  // else constant 0, the default
    fillers_.push_back(GetFiller<Dtype>(filler));
    constant_.push_back(filler.type() == "constant");
  } else {
    for (const FillerParameter& filler : param.data_filler()) {
      fillers_.push_back(GetFiller<Dtype>(filler));
      constant_.push_back(filler.type() == "constant");
    }
  }

  auto pick = [](int size, int i) { return size == 1 ? 0 : i; };
  for (int i = 0; i < num_tops; ++i) {
    if (legacy) {
      top[i]->Reshape(static_cast<int>(param.num(pick(param.num_size(), i))),
                      static_cast<int>(param.channels(pick(param.channels_size(), i))),
                      static_cast<int>(param.height(pick(param.height_size(), i))),
                      static_cast<int>(param.width(pick(param.width_size(), i))));
    } else {
      top[i]->Reshape(param.shape(pick(param.shape_size(), i)));
    }
    const int filler_id = fillers_.size() > 1 ? i : 0;
    if (constant_[filler_id]) fillers_[filler_id]->Fill(top[i]);
  }
}

template <typename Dtype>
void DummyDataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  for (size_t i = 0; i < top.size(); ++i) {
    const int filler_id = fillers_.size() > 1 ? static_cast<int>(i) : 0;
    if (!constant_[filler_id]) fillers_[filler_id]->Fill(top[i]);
  }
}

INSTANTIATE_CLASS(DummyDataLayer);
REGISTER_LAYER_CLASS(DummyData);

}  // namespace caffe
