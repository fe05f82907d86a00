#include "caffe/layers/data_layer.hpp"

#include <algorithm>

#include "caffe/layer_factory.hpp"
#include "caffe/util/datum_io.hpp"

namespace caffe {

template <typename Dtype>
DataLayer<Dtype>::DataLayer(const LayerParameter& param)
    : BasePrefetchingDataLayer<Dtype>(param) {}

template <typename Dtype>
DataLayer<Dtype>::~DataLayer() {
  // load_batch uses reader_ and the members below: stop before they go.
  this->StopInternalThread();
}

template <typename Dtype>
string DataLayer<Dtype>::RecordContext(const string& key) const {
  return internal::Concat("database ", this->layer_param_.data_param().source(), ", record '",
                          key, "': ");
}

template <typename Dtype>
void DataLayer<Dtype>::ParseRecord(const DBRecord& record, Datum* datum) const {
  CAFFE_REQUIRE(datum->ParseFromString(record.value), DataError, this->Describe(), ": ",
                RecordContext(record.key), "the value (", record.value.size(),
                " bytes) is not a serialized Datum");
}

template <typename Dtype>
void DataLayer<Dtype>::DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const DataParameter& data_param = this->layer_param_.data_param();
  const int batch_size = static_cast<int>(data_param.batch_size());
  CAFFE_REQUIRE(batch_size > 0, ConfigError, this->Describe(),
                ": data_param.batch_size must be positive");
  CAFFE_REQUIRE(!data_param.source().empty(), ConfigError, this->Describe(),
                ": data_param.source is not set");

  if (data_param.rand_skip()) {
    // Upstream Caffe 1.0's Data layer reads from the first record whatever
    // rand_skip says (and takes no random draw for it); so do we.
    LOG(WARNING) << this->Describe() << ": data_param.rand_skip is ignored, as in Caffe 1.0";
  }
  if (this->layer_param_.has_augmentation_param()) {
    AugmentationParameter augmentation = this->layer_param_.augmentation_param();
    // Unseeded augmentation follows the solver's random_seed.
    if (augmentation.random_seed() < 0) augmentation.set_random_seed(caffe_rng_rand());
    augmenter_ = std::make_unique<augment::Augmenter>(augmentation, this->Describe());
  }
  const bool emit_params = augmenter_ && augmenter_->param().emit_params();
  CAFFE_REQUIRE(emit_params == (top.size() == 3), ConfigError, this->Describe(),
                emit_params ? ": augmentation_param.emit_params needs a third top"
                            : ": a third top needs augmentation_param { emit_params: true }");
  reader_ = std::make_unique<DataReader>(data_param.source(), data_param.backend(),
                                         ReadAhead());
  reader_->Start();
  string key;
  try {
    const std::shared_ptr<const DBRecord> first = reader_->Peek();
    key = first->key;
    ParseRecord(*first, &datum_);
    vector<int> top_shape;
    if (augmenter_) {
      record_.key = first->key;
      record_.epoch = first->epoch;
      top_shape = this->data_transformer_->InferBlobShape(AugmentedRecordImage(nullptr));
    } else {
      top_shape = this->data_transformer_->InferBlobShape(datum_);
    }
    this->transformed_data_.Reshape(top_shape);
    top_shape[0] = batch_size;
    top[0]->Reshape(top_shape);
    for (auto& batch : this->prefetch_) batch->data_.Reshape(top_shape);
  } catch (const Error&) {
    this->RethrowWithContext(key.empty() ? string() : RecordContext(key));
  }
  LOG(INFO) << this->Describe() << ": output data size " << top[0]->shape_string();
  if (this->output_labels_) {
    const vector<int> label_shape(1, batch_size);
    top[1]->Reshape(label_shape);
    for (auto& batch : this->prefetch_) batch->label_.Reshape(label_shape);
  }
  if (emit_params) {
    const vector<int> params_shape{batch_size, augment::SampledParams::kVectorSize};
    top[2]->Reshape(params_shape);
    for (auto& batch : this->prefetch_) batch_params_[batch.get()].Reshape(params_shape);
  }
}

template <typename Dtype>
cv::Mat DataLayer<Dtype>::AugmentedRecordImage(float* params) {
  cv::Mat image = datum_.encoded() ? this->data_transformer_->DecodeDatum(datum_)
                                   : DatumToCVMat(datum_);
  if (!image.isContinuous()) image = image.clone();
  const auto context = augment::RecordContext::FromKey(record_.epoch, record_.key, 0);
  augmenter_->Apply(image.data, image.rows, image.cols, image.channels(), context,
                    this->phase_, &augmented_);
  if (params) augmented_.params.ToVector(params);
  return cv::Mat(augmented_.height, augmented_.width, CV_8UC(augmented_.channels),
                 augmented_.u8.data());
}

template <typename Dtype>
void DataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  BasePrefetchingDataLayer<Dtype>::Forward_cpu(bottom, top);
  if (top.size() == 3) top[2]->CopyFrom(batch_params_.at(this->prefetch_current_), false, true);
}

template <typename Dtype>
int DataLayer<Dtype>::ReadAhead() const {
  return static_cast<int>(this->layer_param_.data_param().batch_size()) *
         static_cast<int>(this->prefetch_.size());
}

template <typename Dtype>
void DataLayer<Dtype>::SkipBatches(int64_t batches) {
  const DataParameter& data_param = this->layer_param_.data_param();
  const uint64_t records = static_cast<uint64_t>(batches) * data_param.batch_size();
  reader_ = std::make_unique<DataReader>(data_param.source(), data_param.backend(), ReadAhead(),
                                         records);
  reader_->Start();
  this->data_transformer_->RestartRandAfter(records);
}

template <typename Dtype>
void DataLayer<Dtype>::load_batch(Batch<Dtype>* batch) {
  const int batch_size = static_cast<int>(this->layer_param_.data_param().batch_size());
  DataTransformer<Dtype>* transformer = this->data_transformer_.get();
  vector<int> item_shape;
  for (int item_id = 0; item_id < batch_size; ++item_id) {
    try {
      reader_->Read(&record_);
    } catch (const Error&) {
      this->RethrowWithContext("");
    }
    ParseRecord(record_, &datum_);
    try {
      // Decode once: the shape and the pixels come from the same image.
      cv::Mat image;
      const bool as_image = datum_.encoded() || augmenter_;
      if (augmenter_) {
        float params[augment::SampledParams::kVectorSize];
        image = AugmentedRecordImage(params);
        auto entry = batch_params_.find(batch);
        if (entry != batch_params_.end()) {
          Dtype* out = entry->second.mutable_cpu_data() + item_id * augment::SampledParams::kVectorSize;
          std::copy(params, params + augment::SampledParams::kVectorSize, out);
        }
      } else if (datum_.encoded()) {
        image = transformer->DecodeDatum(datum_);
      }
      vector<int> shape = as_image ? transformer->InferBlobShape(image)
                                   : transformer->InferBlobShape(datum_);
      if (item_id == 0) {
        // Each batch takes the shape of its first record.
        item_shape = shape;
        this->transformed_data_.Reshape(shape);
        shape[0] = batch_size;
        batch->data_.Reshape(shape);
      } else {
        CAFFE_REQUIRE(shape == item_shape, DataError, "it transforms to shape ",
                      ShapeString(shape), " but the batch's first record gave ",
                      ShapeString(item_shape));
      }
      Dtype* batch_data = batch->data_.mutable_cpu_data();
      this->transformed_data_.set_cpu_data(batch_data + batch->data_.offset(item_id));
      if (as_image) {
        transformer->Transform(image, &this->transformed_data_);
      } else {
        transformer->Transform(datum_, &this->transformed_data_);
      }
    } catch (const Error&) {
      this->RethrowWithContext(RecordContext(record_.key));
    }
    if (this->output_labels_) {
      batch->label_.mutable_cpu_data()[item_id] = static_cast<Dtype>(datum_.label());
    }
  }
}

INSTANTIATE_CLASS(DataLayer);
REGISTER_LAYER_CLASS(Data);

}  // namespace caffe
