#include "caffe/layers/image_data_layer.hpp"

#include "caffe/data/image_list.hpp"
#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
ImageDataLayer<Dtype>::ImageDataLayer(const LayerParameter& param)
    : RecordDataLayer<Dtype>(param,
                             CommonRecordSettings("image_data_param", param.image_data_param()),
                             MakeImageFileFormat(param)) {}

template <typename Dtype>
RecordSource ImageDataLayer<Dtype>::OpenSource() {
  const ImageDataParameter& param = this->layer_param_.image_data_param();
  const ImageList lines = ReadImageList(param.source());
  LOG(INFO) << this->Describe() << ": a total of " << lines.size() << " images in "
            << param.source();
  // Upstream's draws, in its order: the shuffle seed, then the skip.
  const uint32_t shuffle_seed = param.shuffle() ? caffe_rng_rand() : 0;
  uint64_t skip = 0;
  if (param.rand_skip()) {
    skip = caffe_rng_rand() % param.rand_skip();
    CAFFE_REQUIRE(skip < lines.size(), ConfigError, this->Describe(), ": rand_skip ",
                  param.rand_skip(), " drew a skip of ", skip, " lines but list file ",
                  param.source(), " has ", lines.size());
    LOG(INFO) << this->Describe() << ": skipping the first " << skip << " images";
  }
  return {"list file " + param.source(), ImageListOpener(lines, param.shuffle(), shuffle_seed),
          skip};
}

INSTANTIATE_CLASS(ImageDataLayer);
REGISTER_LAYER_CLASS(ImageData);

}  // namespace caffe
