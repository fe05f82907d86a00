#include "caffe/layers/record_data_layer.hpp"

#include "caffe/data/record_pipeline.hpp"

#include <utility>

namespace caffe {

template <typename Dtype>
RecordDataLayer<Dtype>::RecordDataLayer(const LayerParameter& param,
                                        const RecordLayerSettings& settings,
                                        std::unique_ptr<RecordFormat> format)
    : BasePrefetchingDataLayer<Dtype>(param, settings.prefetch,
                                      settings.param_name + ".prefetch"),
      settings_(settings),
      format_(std::move(format)) {}

template <typename Dtype>
RecordDataLayer<Dtype>::~RecordDataLayer() {
  // load_batch uses the pipeline: stop before it goes.
  this->StopInternalThread();
}

template <typename Dtype>
RecordSource RecordDataLayer<Dtype>::OpenSource() {
  return {DataReader::DatabaseDescription(settings_.source),
          DataReader::DatabaseOpener(settings_.source, settings_.backend)};
}

template <typename Dtype>
int64_t RecordDataLayer<Dtype>::skipped_records() const {
  return pipeline_ ? pipeline_->skipped_records() : 0;
}

template <typename Dtype>
int RecordDataLayer<Dtype>::num_workers() const {
  return DecodeWorkers(settings_.num_threads);
}

template <typename Dtype>
void RecordDataLayer<Dtype>::DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                            const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(settings_.batch_size > 0, ConfigError, this->Describe(), ": ",
                settings_.param_name, ".batch_size must be positive");
  CAFFE_REQUIRE(!settings_.source.empty(), ConfigError, this->Describe(), ": ",
                settings_.param_name, ".source is not set");
  const LayerParameter& param = this->layer_param_;
  const bool emit_params =
      param.has_augmentation_param() && param.augmentation_param().emit_params();
  const int extra_tops = static_cast<int>(top.size()) - settings_.image_tops;
  const string tops_wanted =
      internal::Concat(settings_.image_tops, " image top", settings_.image_tops == 1 ? "" : "s");
  if (emit_params) {
    CAFFE_REQUIRE(extra_tops == 2, ConfigError, this->Describe(),
                  ": augmentation_param.emit_params needs ", tops_wanted,
                  ", a label top and a params top, got ", top.size(), " tops");
  } else {
    CAFFE_REQUIRE(extra_tops == 0 || extra_tops == 1, ConfigError, this->Describe(),
                  ": takes ", tops_wanted,
                  " and an optional label top (a params top needs augmentation_param "
                  "{ emit_params: true }), got ",
                  top.size(), " tops");
  }
  output_labels_ = extra_tops > 0;

  pipeline_ = std::make_unique<RecordPipeline<Dtype>>(*this, param, settings_, *format_,
                                                      output_labels_);
  pipeline_->SetUp([this] { return OpenSource(); });

  vector<vector<int>> shapes{pipeline_->DataShape()};
  if (output_labels_) shapes.push_back(pipeline_->LabelShape());
  if (emit_params) shapes.push_back(pipeline_->ParamsShape());
  for (auto& batch : this->prefetch_) {
    batch->blobs_.clear();
    for (const vector<int>& shape : shapes) {
      batch->blobs_.push_back(std::make_shared<Blob<Dtype>>(shape));
    }
  }
  // The image tops: the data blob, or equal parts of it.
  vector<int> image_top_shape = shapes[0];
  image_top_shape[0] /= settings_.image_tops;
  for (int i = 0; i < settings_.image_tops; ++i) top[i]->Reshape(image_top_shape);
  for (size_t i = 1; i < shapes.size(); ++i) {
    top[settings_.image_tops + i - 1]->Reshape(shapes[i]);
  }
  LOG(INFO) << this->Describe() << ": output data size " << ShapeString(shapes[0]) << ", "
            << pipeline_->workers() << " decode worker" << (pipeline_->workers() == 1 ? "" : "s");
}

template <typename Dtype>
void RecordDataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                         const vector<Blob<Dtype>*>& top) {
  const int parts = settings_.image_tops;
  if (parts == 1) {
    BasePrefetchingDataLayer<Dtype>::Forward_cpu(bottom, top);
    return;
  }
  vector<Blob<Dtype>*> batch_tops{&stacked_};
  batch_tops.insert(batch_tops.end(), top.begin() + parts, top.end());
  BasePrefetchingDataLayer<Dtype>::Forward_cpu(bottom, batch_tops);
  vector<int> part_shape = stacked_.shape();
  part_shape[0] /= parts;
  const int part_count = stacked_.count() / parts;
  Dtype* data = stacked_.mutable_cpu_data();
  for (int part = 0; part < parts; ++part) {
    top[part]->Reshape(part_shape);
    top[part]->set_cpu_data(data + part * part_count);
  }
}

template <typename Dtype>
void RecordDataLayer<Dtype>::load_batch(Batch<Dtype>* batch) {
  pipeline_->LoadBatch(batch);
}

template <typename Dtype>
void RecordDataLayer<Dtype>::SkipBatches(int64_t batches) {
  pipeline_->SkipBatches(batches);
}

INSTANTIATE_CLASS(RecordDataLayer);

}  // namespace caffe
