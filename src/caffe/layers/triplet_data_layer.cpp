#include "caffe/layers/triplet_data_layer.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <random>
#include <thread>

#include "caffe/layer_factory.hpp"
#include "caffe/util/worker_pool.hpp"

namespace caffe {

// A DataTransformer whose random draws come from a generator the caller
// seeds per image, so draws do not depend on which thread transforms what.
template <typename Dtype>
class SeededTransformer : public DataTransformer<Dtype> {
 public:
  SeededTransformer(const TransformationParameter& param, Phase phase)
      : DataTransformer<Dtype>(param, phase) {}
  void Seed(uint32_t seed) { generator_.seed(seed); }

 protected:
  int Rand(int n) override {
    return static_cast<int>(generator_() % static_cast<uint32_t>(n));
  }

 private:
  std::mt19937 generator_;
};

namespace {

const char* const kSlotNames[3] = {"anchor", "positive", "negative"};

// The base class sizes its batch ring from data_param.prefetch; ours is
// triplet_data_param.prefetch.
LayerParameter WithTripletPrefetch(const LayerParameter& param) {
  CAFFE_REQUIRE(param.triplet_data_param().prefetch() > 0, ConfigError, "TripletData layer '",
                param.name(), "': triplet_data_param.prefetch must be positive");
  LayerParameter copy(param);
  copy.mutable_data_param()->set_prefetch(param.triplet_data_param().prefetch());
  return copy;
}

// SplitMix64's finaliser: a well-mixed 32-bit seed from (batch seed, item,
// slot), so neighbouring images get unrelated streams.
uint32_t MixImageSeed(uint32_t batch_seed, int item, int slot) {
  uint64_t z = (static_cast<uint64_t>(batch_seed) << 32) ^
               (static_cast<uint64_t>(item) * 3 + static_cast<uint64_t>(slot));
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<uint32_t>(z ^ (z >> 32));
}

string ImageShapeString(const cv::Mat& image) {
  return internal::Concat(image.channels(), "x", image.rows, "x", image.cols);
}

// Planar uint8 bytes -> an interleaved H x W x C image.
cv::Mat PlanarToMat(const string& bytes, int channels, int height, int width) {
  cv::Mat image(height, width, CV_8UC(channels));
  const uint8_t* source = reinterpret_cast<const uint8_t*>(bytes.data());
  for (int h = 0; h < height; ++h) {
    uchar* row = image.ptr<uchar>(h);
    for (int w = 0; w < width; ++w) {
      for (int c = 0; c < channels; ++c) {
        row[w * channels + c] = source[(c * height + h) * width + w];
      }
    }
  }
  return image;
}

// After this many bad records in a row (SKIP), the database is taken to hold
// no usable record at all.
const int64_t kMaxConsecutiveBadRecords = 100000;

}  // namespace

template <typename Dtype>
TripletDataLayer<Dtype>::TripletDataLayer(const LayerParameter& param)
    : BasePrefetchingDataLayer<Dtype>(WithTripletPrefetch(param)) {
  if (!param.has_data_param()) this->layer_param_.clear_data_param();
}

template <typename Dtype>
TripletDataLayer<Dtype>::~TripletDataLayer() {
  // load_batch uses the reader, the pool and the transformers.
  this->StopInternalThread();
}

template <typename Dtype>
int TripletDataLayer<Dtype>::batch_size() const {
  return static_cast<int>(this->layer_param_.triplet_data_param().batch_size());
}

template <typename Dtype>
int TripletDataLayer<Dtype>::ReadAhead() const {
  return batch_size() * static_cast<int>(this->prefetch_.size());
}

template <typename Dtype>
int TripletDataLayer<Dtype>::num_workers() const {
  const int requested = static_cast<int>(this->layer_param_.triplet_data_param().num_threads());
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

template <typename Dtype>
string TripletDataLayer<Dtype>::RecordContext(const string& key) const {
  return internal::Concat("database ", this->layer_param_.triplet_data_param().source(),
                          ", record '", key, "': ");
}

template <typename Dtype>
void TripletDataLayer<Dtype>::DecodeRecord(const DBRecord& record, Decoded* out) const {
  out->key = record.key;
  out->epoch = record.epoch;
  out->problem.clear();
  out->labels.clear();
  out->encoded = false;
  TripletDatum datum;
  if (!datum.ParseFromString(record.value)) {
    out->problem = internal::Concat("the value (", record.value.size(),
                                    " bytes) is not a serialized TripletDatum");
    return;
  }
  out->encoded = datum.encoded();
  const string* bytes[3] = {&datum.data_anchor(), &datum.data_pos(), &datum.data_neg()};
  try {
    for (int slot = 0; slot < 3; ++slot) {
      if (datum.encoded()) {
        const cv::Mat buffer(1, static_cast<int>(bytes[slot]->size()), CV_8UC1,
                             const_cast<char*>(bytes[slot]->data()));
        const int flags = force_color_  ? cv::IMREAD_COLOR
                          : force_gray_ ? cv::IMREAD_GRAYSCALE
                                        : cv::IMREAD_UNCHANGED;
        cv::Mat image = bytes[slot]->empty() ? cv::Mat() : cv::imdecode(buffer, flags);
        if (image.empty() || image.depth() != CV_8U) {
          out->problem = internal::Concat("the ", kSlotNames[slot], " image (",
                                          bytes[slot]->size(),
                                          " bytes) is not a decodable 8-bit image");
          return;
        }
        out->images[slot] = image;
      } else {
        const int64_t expected = static_cast<int64_t>(datum.channels()) * datum.height() *
                                 datum.width();
        if (datum.channels() <= 0 || datum.height() <= 0 || datum.width() <= 0) {
          out->problem = internal::Concat("raw images need a positive shape, got channels x "
                                          "height x width = ",
                                          datum.channels(), "x", datum.height(), "x",
                                          datum.width());
          return;
        }
        if (static_cast<int64_t>(bytes[slot]->size()) != expected) {
          out->problem = internal::Concat(
              "the ", kSlotNames[slot], " image holds ", bytes[slot]->size(),
              " bytes but channels x height x width = ", datum.channels(), "x", datum.height(),
              "x", datum.width(), " needs ", expected);
          return;
        }
        out->images[slot] =
            PlanarToMat(*bytes[slot], datum.channels(), datum.height(), datum.width());
      }
    }
  } catch (const cv::Exception& e) {
    out->problem = internal::Concat("an image cannot be decoded: ", e.what());
    return;
  }
  for (int slot = 1; slot < 3; ++slot) {
    if (out->images[slot].size() != out->images[0].size() ||
        out->images[slot].channels() != out->images[0].channels()) {
      out->problem = internal::Concat("its anchor image is ", ImageShapeString(out->images[0]),
                                      " but its ", kSlotNames[slot], " image is ",
                                      ImageShapeString(out->images[slot]),
                                      " (channels x height x width)");
      return;
    }
  }
  out->labels.assign(datum.label().begin(), datum.label().end());
}

template <typename Dtype>
void TripletDataLayer<Dtype>::CheckAgainstLayer(Decoded* decoded) const {
  if (!decoded->problem.empty()) return;
  const cv::Mat& image = decoded->images[0];
  if (image.channels() != channels_ || image.rows != height_ || image.cols != width_) {
    decoded->problem = internal::Concat("its images are ", ImageShapeString(image),
                                        " but the layer's are ", channels_, "x", height_, "x",
                                        width_, " (set by the first record)");
  } else if (static_cast<int>(decoded->labels.size()) != label_count_) {
    decoded->problem = internal::Concat("it carries ", decoded->labels.size(),
                                        " labels but the first record carries ", label_count_);
  }
}

template <typename Dtype>
void TripletDataLayer<Dtype>::CountSkipped(const Decoded& decoded) {
  const int64_t skipped = ++skipped_records_;
  if (skipped >= next_skip_report_) {
    LOG(WARNING) << this->Describe() << ": skipped " << skipped << " bad record"
                 << (skipped == 1 ? "" : "s") << " so far; the latest, "
                 << RecordContext(decoded.key) << decoded.problem;
    next_skip_report_ *= 2;
  }
}

template <typename Dtype>
void TripletDataLayer<Dtype>::CollectRecords(vector<Decoded>* records) {
  const bool skip_bad = this->layer_param_.triplet_data_param().on_bad_record() ==
                        TripletDataParameter::SKIP;
  records->clear();
  vector<DBRecord> raw;
  vector<Decoded> decoded;
  int64_t consecutive_bad = 0;
  while (static_cast<int>(records->size()) < batch_size()) {
    const int needed = batch_size() - static_cast<int>(records->size());
    raw.resize(needed);
    decoded.resize(needed);
    try {
      for (DBRecord& record : raw) reader_->Read(&record);
    } catch (const Error&) {
      this->RethrowWithContext("");
    }
    pool_->ParallelFor(needed, [&](int index, int) {
      DecodeRecord(raw[index], &decoded[index]);
      CheckAgainstLayer(&decoded[index]);
    });
    for (Decoded& entry : decoded) {
      if (entry.problem.empty()) {
        records->push_back(std::move(entry));
        consecutive_bad = 0;
        continue;
      }
      CAFFE_REQUIRE(skip_bad, DataError, this->Describe(), ": ", RecordContext(entry.key),
                    entry.problem);
      CountSkipped(entry);
      CAFFE_REQUIRE(++consecutive_bad < kMaxConsecutiveBadRecords, DataError, this->Describe(),
                    ": database ", this->layer_param_.triplet_data_param().source(),
                    " gave ", consecutive_bad, " bad records in a row; the last, '", entry.key,
                    "': ", entry.problem);
    }
  }
}

template <typename Dtype>
void TripletDataLayer<Dtype>::DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                             const vector<Blob<Dtype>*>& top) {
  const TripletDataParameter& param = this->layer_param_.triplet_data_param();
  CAFFE_REQUIRE(param.batch_size() > 0, ConfigError, this->Describe(),
                ": triplet_data_param.batch_size must be positive");
  CAFFE_REQUIRE(!param.source().empty(), ConfigError, this->Describe(),
                ": triplet_data_param.source is not set");
  force_color_ = param.force_color() || this->transform_param_.force_color();
  force_gray_ = param.force_gray() || this->transform_param_.force_gray();
  CAFFE_REQUIRE(!(force_color_ && force_gray_), ConfigError, this->Describe(),
                ": force_color and force_gray cannot both be set");
  num_image_tops_ = param.layout() == TripletDataParameter::SEPARATE ? 3 : 1;
  const int tops = static_cast<int>(top.size());
  CAFFE_REQUIRE(tops == num_image_tops_ || tops == num_image_tops_ + 1, ConfigError,
                this->Describe(), ": layout ", TripletDataParameter::Layout_Name(param.layout()),
                " takes ", num_image_tops_, " image top", num_image_tops_ == 1 ? "" : "s",
                " and an optional label top, got ", tops, " tops");
  this->output_labels_ = tops == num_image_tops_ + 1;

  const int workers = num_workers();
  pool_ = std::make_unique<WorkerPool>(workers);
  transformers_.clear();
  for (int worker = 0; worker < workers; ++worker) {
    transformers_.push_back(
        std::make_unique<SeededTransformer<Dtype>>(this->transform_param_, this->phase_));
  }
  batch_seed_base_ = caffe_rng_rand();
  batch_seed_rng_.seed(batch_seed_base_);
  batch_index_ = 0;
  if (this->layer_param_.has_augmentation_param()) {
    AugmentationParameter augmentation = this->layer_param_.augmentation_param();
    CAFFE_REQUIRE(!augmentation.emit_params(), ConfigError, this->Describe(),
                  ": augmentation_param.emit_params is supported by the Data layer only");
    // Unseeded augmentation follows the solver's random_seed.
    if (augmentation.random_seed() < 0) augmentation.set_random_seed(caffe_rng_rand());
    augmenter_ = std::make_unique<augment::Augmenter>(augmentation, this->Describe());
    augmented_.assign(workers, augment::AugmentedImage());
  }

  reader_ = std::make_unique<DataReader>(param.source(), param.backend(), ReadAhead());
  reader_->Start();
  Decoded first;
  try {
    const std::shared_ptr<const DBRecord> record = reader_->Peek();
    DecodeRecord(*record, &first);
  } catch (const Error&) {
    this->RethrowWithContext("");
  }
  CAFFE_REQUIRE(first.problem.empty(), DataError, this->Describe(), ": ",
                RecordContext(first.key), first.problem,
                " (the first record sets the layer's shape and must be usable)");
  if (!first.encoded && (force_color_ || force_gray_)) {
    LOG(WARNING) << this->Describe() << ": force_color and force_gray apply to encoded data only";
  }
  channels_ = first.images[0].channels();
  height_ = first.images[0].rows;
  width_ = first.images[0].cols;
  label_count_ = static_cast<int>(first.labels.size());
  CAFFE_REQUIRE(!this->output_labels_ || label_count_ > 0, DataError, this->Describe(), ": ",
                RecordContext(first.key),
                "the layer has a label top but the first record carries no labels");
  try {
    if (augmenter_) {
      int out_height, out_width;
      augmenter_->OutputSize(height_, width_, &out_height, &out_width);
      item_shape_ = transformers_[0]->InferBlobShape(
          cv::Mat(out_height, out_width, first.images[0].type()));
    } else {
      item_shape_ = transformers_[0]->InferBlobShape(first.images[0]);
    }
  } catch (const Error&) {
    this->RethrowWithContext(RecordContext(first.key));
  }

  const int n = batch_size();
  const int c = item_shape_[1], h = item_shape_[2], w = item_shape_[3];
  const vector<int> data_shape = param.layout() == TripletDataParameter::CHANNELS
                                     ? vector<int>{n, 3 * c, h, w}
                                     : vector<int>{3 * n, c, h, w};
  const vector<int> label_shape{n, label_count_};
  for (auto& batch : this->prefetch_) {
    batch->data_.Reshape(data_shape);
    if (this->output_labels_) batch->label_.Reshape(label_shape);
  }
  if (num_image_tops_ == 1) {
    top[0]->Reshape(data_shape);
  } else {
    for (int slot = 0; slot < 3; ++slot) top[slot]->Reshape({n, c, h, w});
  }
  if (this->output_labels_) top[num_image_tops_]->Reshape(label_shape);
  LOG(INFO) << this->Describe() << ": " << TripletDataParameter::Layout_Name(param.layout())
            << " output data size " << ShapeString(data_shape) << ", " << label_count_
            << " labels per record, " << workers << " decode worker"
            << (workers == 1 ? "" : "s");
}

template <typename Dtype>
int TripletDataLayer<Dtype>::ImageOffset(int item, int slot) const {
  const int image_count = item_shape_[1] * item_shape_[2] * item_shape_[3];
  if (this->layer_param_.triplet_data_param().layout() == TripletDataParameter::CHANNELS) {
    return (item * 3 + slot) * image_count;
  }
  return (slot * batch_size() + item) * image_count;
}

template <typename Dtype>
void TripletDataLayer<Dtype>::TransformImage(const TripletImageContext& context,
                                             const cv::Mat& image, int worker,
                                             Dtype* output) {
  SeededTransformer<Dtype>* transformer = transformers_[worker].get();
  Blob<Dtype> view(item_shape_);
  view.set_cpu_data(output);
  transformer->Seed(context.image_seed);
  if (!augmenter_) {
    transformer->Transform(image, &view);
    return;
  }
  const cv::Mat source = image.isContinuous() ? image : image.clone();
  augment::AugmentedImage& augmented = augmented_[worker];
  augmenter_->Apply(source.data, source.rows, source.cols, source.channels(),
                    augment::RecordContext::FromKey(context.epoch, *context.record_key,
                                                    context.slot),
                    this->phase_, &augmented);
  transformer->Transform(cv::Mat(augmented.height, augmented.width,
                                 CV_8UC(augmented.channels), augmented.u8.data()),
                         &view);
}

template <typename Dtype>
void TripletDataLayer<Dtype>::load_batch(Batch<Dtype>* batch) {
  const uint32_t batch_seed = batch_seed_rng_();
  const int64_t batch_index = batch_index_++;
  CollectRecords(&records_);
  const int n = batch_size();
  Dtype* data = batch->data_.mutable_cpu_data();
  pool_->ParallelFor(3 * n, [&](int index, int worker) {
    const int item = index / 3;
    const int slot = index % 3;
    const Decoded& record = records_[item];
    const TripletImageContext context{batch_seed, batch_index, item, slot,
                                      MixImageSeed(batch_seed, item, slot), &record.key,
                                      record.epoch};
    try {
      TransformImage(context, record.images[slot], worker, data + ImageOffset(item, slot));
    } catch (const Error&) {
      this->RethrowWithContext(RecordContext(record.key));
    }
  });
  if (this->output_labels_) {
    Dtype* labels = batch->label_.mutable_cpu_data();
    for (int item = 0; item < n; ++item) {
      std::copy(records_[item].labels.begin(), records_[item].labels.end(),
                labels + item * label_count_);
    }
  }
}

template <typename Dtype>
void TripletDataLayer<Dtype>::SkipBatches(int64_t batches) {
  const TripletDataParameter& param = this->layer_param_.triplet_data_param();
  const bool skip_bad = param.on_bad_record() == TripletDataParameter::SKIP;
  // With SKIP, how many records a batch took depends on how many were bad:
  // replay the skipped batches' records to find out.
  const uint64_t records_to_pass = skip_bad ? 0 : static_cast<uint64_t>(batches) * batch_size();
  reader_ = std::make_unique<DataReader>(param.source(), param.backend(), ReadAhead(),
                                         records_to_pass);
  reader_->Start();
  if (skip_bad) {
    for (int64_t b = 0; b < batches; ++b) CollectRecords(&records_);
  }
  batch_seed_rng_.seed(batch_seed_base_);
  batch_seed_rng_.discard(static_cast<uint64_t>(batches));
  batch_index_ = batches;
}

template <typename Dtype>
void TripletDataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                          const vector<Blob<Dtype>*>& top) {
  if (num_image_tops_ == 1) {
    BasePrefetchingDataLayer<Dtype>::Forward_cpu(bottom, top);
    return;
  }
  // SEPARATE: the batch is stacked; each image top aliases one third of it.
  vector<Blob<Dtype>*> stacked_top{&stacked_};
  if (this->output_labels_) stacked_top.push_back(top[3]);
  BasePrefetchingDataLayer<Dtype>::Forward_cpu(bottom, stacked_top);
  const int n = stacked_.shape(0) / 3;
  const int per_slot = stacked_.count() / 3;
  Dtype* data = stacked_.mutable_cpu_data();
  for (int slot = 0; slot < 3; ++slot) {
    top[slot]->Reshape({n, stacked_.shape(1), stacked_.shape(2), stacked_.shape(3)});
    top[slot]->set_cpu_data(data + slot * per_slot);
  }
}

INSTANTIATE_CLASS(TripletDataLayer);
REGISTER_LAYER_CLASS(TripletData);

}  // namespace caffe
