#include "caffe/data/record_pipeline.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include "caffe/data/augmentation_seed.hpp"
#include "caffe/data/data_transformer.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/jpeg_decoder.hpp"

namespace caffe {

// A DataTransformer that replays draws taken for it beforehand: the pipeline
// takes every image's draws from one stream in stream order (as upstream's
// single-threaded transformer would) and hands each image its own, so the
// worker that transforms it does not matter.
template <typename Dtype>
class ReplayTransformer : public DataTransformer<Dtype> {
 public:
  using DataTransformer<Dtype>::DataTransformer;
  // The next Transform uses DrawsPerItem() values from `draws`.
  void SetDraws(const uint32_t* draws) { next_draw_ = draws; }

 protected:
  int Rand(int n) override { return static_cast<int>(*next_draw_++ % static_cast<uint32_t>(n)); }

 private:
  const uint32_t* next_draw_ = nullptr;
};

namespace {

// After this many bad records in a row (SKIP), the source is taken to hold
// no usable record at all.
const int64_t kMaxConsecutiveBadRecords = 100000;

const int kParamsSize = augment::SampledParams::kVectorSize;

// "C x H x W" of an item shape {1, C, H, W}.
string ItemShapeText(const vector<int>& shape) {
  return internal::Concat(shape[1], "x", shape[2], "x", shape[3]);
}

}  // namespace

int DecodeWorkers(int num_threads) {
  if (num_threads > 0) return num_threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

template <typename Dtype>
RecordPipeline<Dtype>::RecordPipeline(const BaseDataLayer<Dtype>& layer,
                                      const LayerParameter& param,
                                      const RecordLayerSettings& settings,
                                      const RecordFormat& format, bool output_labels)
    : layer_(layer),
      settings_(settings),
      format_(format),
      phase_(param.phase()),
      output_labels_(output_labels),
      has_augmentation_(param.has_augmentation_param()),
      augmentation_param_(param.augmentation_param()),
      views_(ResolveViews(param.views_param())),
      identity_view_(views_ == vector<View>{ViewsParameter::IDENTITY}),
      defer_decoding_(!has_augmentation_ && identity_view_ &&
                      settings.on_bad_record == DataParameter::FAIL),
      pool_(std::make_unique<WorkerPool>(DecodeWorkers(settings.num_threads))) {
  for (int worker = 0; worker < pool_->workers(); ++worker) {
    jpeg_decoders_.push_back(std::make_unique<JpegDecoder>());
    transformers_.push_back(
        std::make_unique<ReplayTransformer<Dtype>>(param.transform_param(), phase_));
    item_views_.push_back(std::make_unique<Blob<Dtype>>());
    transformed_.push_back(std::make_unique<Blob<Dtype>>());
  }
  draws_per_image_ = transformers_[0]->DrawsPerItem();
}

template <typename Dtype>
RecordPipeline<Dtype>::~RecordPipeline() = default;

template <typename Dtype>
bool RecordPipeline<Dtype>::emits_params() const {
  return has_augmentation_ && augmentation_param_.emit_params();
}

template <typename Dtype>
string RecordPipeline<Dtype>::RecordWhere(const string& key) const {
  return internal::Concat(source_.description, ", record '", key, "': ");
}

template <typename Dtype>
void RecordPipeline<Dtype>::StartReader(uint64_t records) {
  reader_ = std::make_unique<DataReader>(source_.description, source_.open,
                                         settings_.batch_size * settings_.prefetch,
                                         source_.first_record + records);
  reader_->Start();
}

template <typename Dtype>
void RecordPipeline<Dtype>::SetUp(const std::function<RecordSource()>& open_source) {
  // Upstream seeds its transformer before the layer's own setup...
  if (draws_per_image_ > 0) transform_seed_ = caffe_rng_rand();
  source_ = open_source();
  if (has_augmentation_) {
    augmenter_ = std::make_unique<augment::Augmenter>(WithResolvedSeed(augmentation_param_),
                                                      layer_.Describe());
    augmented_.assign(pool_->workers(), augment::AugmentedImage());
  }
  StartReader(0);
  DecodedRecord first;
  try {
    format_.Decode(*reader_->Peek(), &first);
  } catch (const Error&) {
    layer_.RethrowWithContext("");
  }
  if (first.problem.empty()) first.problem = ItemShape(first, 0, &layer_item_shape_);
  CAFFE_REQUIRE(first.problem.empty(), DataError, layer_.Describe(), ": ", RecordWhere(first.key),
                first.problem, " (the first record sets the layer's shapes and must be usable)");
  label_count_ = static_cast<int>(first.labels.size());
  CAFFE_REQUIRE(!output_labels_ || label_count_ > 0, DataError, layer_.Describe(), ": ",
                RecordWhere(first.key),
                "the layer has a label top but the first record carries no labels");
  // ...and again just before it starts prefetching.
  if (draws_per_image_ > 0) transform_seed_ = caffe_rng_rand();
  transform_rng_.seed(transform_seed_);
}

template <typename Dtype>
vector<int> RecordPipeline<Dtype>::DataShape(const vector<int>& item_shape) const {
  const int n = items();
  const int slots = format_.slots();
  if (settings_.layout == RecordLayerSettings::ITEM_MAJOR) {
    return {n, slots * item_shape[1], item_shape[2], item_shape[3]};
  }
  return {slots * n, item_shape[1], item_shape[2], item_shape[3]};
}

template <typename Dtype>
vector<int> RecordPipeline<Dtype>::LabelShape() const {
  if (settings_.scalar_labels) return {items()};
  return {items(), label_count_};
}

template <typename Dtype>
vector<int> RecordPipeline<Dtype>::ParamsShape() const {
  if (format_.slots() == 1) return {items(), kParamsSize};
  return {items(), format_.slots(), kParamsSize};
}

template <typename Dtype>
string RecordPipeline<Dtype>::ItemShape(const DecodedRecord& record, int worker,
                                        vector<int>* shape) const {
  int height, width, channels;
  if (record.images.empty()) {
    const DeferredImage& image = record.deferred[0];
    height = image.height;
    width = image.width;
    channels = image.channels;
  } else {
    const cv::Mat& image = record.images[0];
    height = image.rows;
    width = image.cols;
    channels = image.channels();
    if (augmenter_) {
      if (image.depth() != CV_8U) {
        return "augmentation_param needs 8-bit images, the record holds float values";
      }
      augmenter_->OutputSize(image.rows, image.cols, &height, &width);
    }
  }
  try {
    *shape = transformers_[worker]->InferBlobShape(channels, height, width);
  } catch (const DataError& e) {
    return e.what();
  }
  const bool sideways = std::any_of(views_.begin(), views_.end(), TurnsSideways);
  if (sideways && (*shape)[2] != (*shape)[3]) {
    return internal::Concat("it transforms to ", ItemShapeText(*shape),
                            ", not square, and views_param turns images by 90 degrees");
  }
  return "";
}

template <typename Dtype>
string RecordPipeline<Dtype>::Mismatch(const DecodedRecord& record,
                                       const vector<int>& shape) const {
  if (settings_.fixed_shape && shape != layer_item_shape_) {
    return internal::Concat("it transforms to ", ItemShapeText(shape),
                            " but the layer's records transform to ",
                            ItemShapeText(layer_item_shape_), " (set by the first record)");
  }
  if (!settings_.fixed_shape && !batch_item_shape_.empty() && shape != batch_item_shape_) {
    return internal::Concat("it transforms to ", ItemShapeText(shape),
                            " but the batch's first record gave ",
                            ItemShapeText(batch_item_shape_));
  }
  if (static_cast<int>(record.labels.size()) != label_count_) {
    return internal::Concat("it carries ", record.labels.size(),
                            " labels but the first record carries ", label_count_);
  }
  return "";
}

template <typename Dtype>
void RecordPipeline<Dtype>::CountSkipped(const DecodedRecord& record) {
  const int64_t skipped = ++skipped_records_;
  if (skipped >= next_skip_report_) {
    LOG(WARNING) << layer_.Describe() << ": skipped " << skipped << " bad record"
                 << (skipped == 1 ? "" : "s") << " so far; the latest, "
                 << RecordWhere(record.key) << record.problem;
    next_skip_report_ *= 2;
  }
}

template <typename Dtype>
void RecordPipeline<Dtype>::CollectRecords() {
  const bool skip_bad = settings_.on_bad_record == DataParameter::SKIP;
  records_.clear();
  batch_item_shape_.clear();
  int64_t consecutive_bad = 0;
  while (static_cast<int>(records_.size()) < settings_.batch_size) {
    const int needed = settings_.batch_size - static_cast<int>(records_.size());
    raw_.resize(needed);
    decoded_.resize(needed);
    decoded_shapes_.resize(needed);
    try {
      for (RawRecord& record : raw_) reader_->Read(&record);
    } catch (const Error&) {
      layer_.RethrowWithContext("");
    }
    pool_->ParallelFor(needed, [&](int index, int worker) {
      DecodedRecord& record = decoded_[index];
      if (defer_decoding_) {
        format_.DecodeDeferred(&raw_[index], &record);
      } else {
        format_.Decode(raw_[index], &record);
      }
      if (record.problem.empty()) record.problem = ItemShape(record, worker, &decoded_shapes_[index]);
    });
    for (int index = 0; index < needed; ++index) {
      DecodedRecord& record = decoded_[index];
      if (record.problem.empty()) record.problem = Mismatch(record, decoded_shapes_[index]);
      if (record.problem.empty()) {
        if (batch_item_shape_.empty()) batch_item_shape_ = decoded_shapes_[index];
        records_.push_back(std::move(record));
        consecutive_bad = 0;
        continue;
      }
      CAFFE_REQUIRE(skip_bad, DataError, layer_.Describe(), ": ", RecordWhere(record.key),
                    record.problem);
      CountSkipped(record);
      CAFFE_REQUIRE(++consecutive_bad < kMaxConsecutiveBadRecords, DataError, layer_.Describe(),
                    ": ", source_.description, " gave ", consecutive_bad,
                    " bad records in a row; the last, '", record.key, "': ", record.problem);
    }
  }
}

template <typename Dtype>
int RecordPipeline<Dtype>::ImageOffset(int item, int slot,
                                       const vector<int>& item_shape) const {
  const int image_count = item_shape[1] * item_shape[2] * item_shape[3];
  const int image_index = settings_.layout == RecordLayerSettings::ITEM_MAJOR
                              ? item * format_.slots() + slot
                              : slot * items() + item;
  return image_index * image_count;
}

template <typename Dtype>
void RecordPipeline<Dtype>::TransformImage(int record, int slot, const uint32_t* draws,
                                           int worker, const vector<int>& item_shape,
                                           Dtype* data, Dtype* params) {
  const DecodedRecord& entry = records_[record];
  if (entry.images.empty()) {
    TransformDeferred(entry.deferred[slot], draws, worker,
                      data + ImageOffset(record, slot, item_shape), item_shape);
    return;
  }
  const int views = static_cast<int>(views_.size());
  cv::Mat image = entry.images[slot];
  Blob<Dtype>& view = *item_views_[worker];
  view.Reshape(item_shape);
  Blob<Dtype>& transformed = *transformed_[worker];
  if (identity_view_) {
    view.set_cpu_data(data + ImageOffset(record, slot, item_shape));
  } else {
    transformed.Reshape(item_shape);
    view.set_cpu_data(transformed.mutable_cpu_data());
  }
  ReplayTransformer<Dtype>& transformer = *transformers_[worker];
  transformer.SetDraws(draws);
  if (augmenter_) {
    if (!image.isContinuous()) image = image.clone();
    const augment::SampledParams sampled = augmenter_->Sample(
        image.rows, image.cols, image.channels(),
        augment::RecordContext::FromKey(entry.epoch, entry.key, slot), phase_);
    if (params) {
      float values[kParamsSize];
      sampled.ToVector(values);
      for (int view_index = 0; view_index < views; ++view_index) {
        const int row = (record * views + view_index) * format_.slots() + slot;
        std::copy(values, values + kParamsSize, params + row * kParamsSize);
      }
    }
    // The transform takes the augmented image row by row as the pixel chain
    // finishes each: the image is read once after the warp and written once,
    // into the batch.
    augment::AugmentedImage& augmented = augmented_[worker];
    transformer.TransformRows(
        image.channels(), sampled.out_height, sampled.out_width,
        [&](int top, int rows, int left, int,
            const std::function<void(int, const uint8_t*)>& row) {
          augmenter_->RenderRows(image.data, sampled, top, rows, left, &augmented, row);
        },
        &view);
  } else {
    transformer.Transform(image, &view);
  }
  if (identity_view_) return;
  for (int index = 0; index < views; ++index) {
    ApplyView(views_[index], transformed.cpu_data(), item_shape[1], item_shape[2], item_shape[3],
              data + ImageOffset(record * views + index, slot, item_shape));
  }
}

template <typename Dtype>
void RecordPipeline<Dtype>::TransformDeferred(const DeferredImage& image, const uint32_t* draws,
                                              int worker, Dtype* out,
                                              const vector<int>& item_shape) {
  Blob<Dtype>& view = *item_views_[worker];
  view.Reshape(item_shape);
  view.set_cpu_data(out);
  ReplayTransformer<Dtype>& transformer = *transformers_[worker];
  transformer.SetDraws(draws);
  if (!image.encoded) {
    transformer.TransformPlanar(image.channels, image.height, image.width,
                                reinterpret_cast<const uint8_t*>(image.bytes.data()) + image.offset,
                                &view);
    return;
  }
  JpegDecoder& decoder = *jpeg_decoders_[worker];
  transformer.TransformDecoded(
      image.channels, image.height, image.width,
      [&](int top, int rows, int left, int cols,
          const std::function<void(int, const uint8_t*)>& row) {
        return decoder.DecodeRows(image.bytes, image.options.color, top, rows, left, cols, row);
      },
      [&] { return DecodeImage(image.bytes, true, 0, 0, 0, image.options); }, &view);
}

template <typename Dtype>
void RecordPipeline<Dtype>::LoadBatch(Batch<Dtype>* batch) {
  CollectRecords();
  const int records = settings_.batch_size;
  const int slots = format_.slots();
  // Every image's draws, in stream order, before any worker starts.
  draws_.resize(static_cast<size_t>(records) * slots * draws_per_image_);
  for (uint32_t& draw : draws_) draw = transform_rng_();

  const vector<int>& item_shape = settings_.fixed_shape ? layer_item_shape_ : batch_item_shape_;
  Blob<Dtype>& data = *batch->blobs_[0];
  data.Reshape(DataShape(item_shape));
  Dtype* data_out = data.mutable_cpu_data();
  Dtype* params_out = emits_params() ? batch->blobs_[2]->mutable_cpu_data() : nullptr;
  pool_->ParallelFor(records * slots, [&](int index, int worker) {
    const int record = index / slots;
    try {
      TransformImage(record, index % slots, draws_.data() + index * draws_per_image_, worker,
                     item_shape, data_out, params_out);
    } catch (const Error&) {
      layer_.RethrowWithContext(RecordWhere(records_[record].key));
    }
  });
  if (output_labels_) {
    Dtype* labels = batch->blobs_[1]->mutable_cpu_data();
    for (int item = 0; item < items(); ++item) {
      const vector<double>& record_labels = records_[item / views_.size()].labels;
      std::copy(record_labels.begin(), record_labels.end(), labels + item * label_count_);
    }
  }
}

template <typename Dtype>
void RecordPipeline<Dtype>::SkipBatches(int64_t batches) {
  const bool skip_bad = settings_.on_bad_record == DataParameter::SKIP;
  // With SKIP, how many records a batch took depends on how many were bad:
  // replay the skipped batches' records to find out.
  StartReader(skip_bad ? 0 : static_cast<uint64_t>(batches) * settings_.batch_size);
  if (skip_bad) {
    for (int64_t batch = 0; batch < batches; ++batch) CollectRecords();
  }
  transform_rng_.seed(transform_seed_);
  transform_rng_.discard(static_cast<uint64_t>(batches) * settings_.batch_size *
                         format_.slots() * draws_per_image_);
}

INSTANTIATE_CLASS(RecordPipeline);

}  // namespace caffe
