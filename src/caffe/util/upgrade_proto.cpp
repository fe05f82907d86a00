#include "caffe/util/upgrade_proto.hpp"

#include "caffe/util/io.hpp"

namespace caffe {

namespace {

bool NetNeedsV1Upgrade(const NetParameter& param) { return param.layers_size() > 0; }

bool NetNeedsInputUpgrade(const NetParameter& param) { return param.input_size() > 0; }

bool NetNeedsBatchNormUpgrade(const NetParameter& param) {
  for (const LayerParameter& layer : param.layer()) {
    if (layer.type() == "BatchNorm" && layer.param_size() == 3) return true;
  }
  return false;
}

// Moves the transformation fields that V1 data layers kept in their own
// parameter message into transform_param.
template <typename DataParam>
void MoveTransformFields(DataParam* data, TransformationParameter* transform) {
  if (data->has_scale()) transform->set_scale(data->scale());
  if (data->has_mean_file()) transform->set_mean_file(data->mean_file());
  if (data->has_crop_size()) transform->set_crop_size(data->crop_size());
  if (data->has_mirror()) transform->set_mirror(data->mirror());
  data->clear_scale();
  data->clear_mean_file();
  data->clear_crop_size();
  data->clear_mirror();
}

void UpgradeV1DataTransformation(V1LayerParameter* layer) {
  TransformationParameter* transform = layer->mutable_transform_param();
  if (layer->has_data_param()) MoveTransformFields(layer->mutable_data_param(), transform);
  if (layer->has_image_data_param()) {
    MoveTransformFields(layer->mutable_image_data_param(), transform);
  }
  if (layer->has_window_data_param()) {
    MoveTransformFields(layer->mutable_window_data_param(), transform);
  }
  if (transform->ByteSizeLong() == 0) layer->clear_transform_param();
}

void UpgradeV1Layer(const string& source, const V1LayerParameter& v1, LayerParameter* layer) {
  CAFFE_REQUIRE(!v1.has_type() || UpgradeV1LayerType(v1.type())[0] != '\0', ConfigError, source,
                ": legacy layer '", v1.name(), "' has a type this engine cannot upgrade");
  layer->Clear();
  for (const string& bottom : v1.bottom()) layer->add_bottom(bottom);
  for (const string& top : v1.top()) layer->add_top(top);
  if (v1.has_name()) layer->set_name(v1.name());
  for (const auto& rule : v1.include()) layer->add_include()->CopyFrom(rule);
  for (const auto& rule : v1.exclude()) layer->add_exclude()->CopyFrom(rule);
  if (v1.has_type()) layer->set_type(UpgradeV1LayerType(v1.type()));
  for (const auto& blob : v1.blobs()) layer->add_blobs()->CopyFrom(blob);
  const int num_specs = std::max({v1.param_size(), v1.blob_share_mode_size(),
                                  v1.blobs_lr_size(), v1.weight_decay_size()});
  for (int i = 0; i < num_specs; ++i) layer->add_param();
  for (int i = 0; i < v1.param_size(); ++i) layer->mutable_param(i)->set_name(v1.param(i));
  for (int i = 0; i < v1.blob_share_mode_size(); ++i) {
    layer->mutable_param(i)->set_share_mode(
        v1.blob_share_mode(i) == V1LayerParameter_DimCheckMode_PERMISSIVE
            ? ParamSpec_DimCheckMode_PERMISSIVE
            : ParamSpec_DimCheckMode_STRICT);
  }
  for (int i = 0; i < v1.blobs_lr_size(); ++i) layer->mutable_param(i)->set_lr_mult(v1.blobs_lr(i));
  for (int i = 0; i < v1.weight_decay_size(); ++i) {
    layer->mutable_param(i)->set_decay_mult(v1.weight_decay(i));
  }
  for (float weight : v1.loss_weight()) layer->add_loss_weight(weight);

#define COPY_PARAM(field) \
  if (v1.has_##field()) layer->mutable_##field()->CopyFrom(v1.field())
  COPY_PARAM(accuracy_param);
  COPY_PARAM(argmax_param);
  COPY_PARAM(concat_param);
  COPY_PARAM(contrastive_loss_param);
  COPY_PARAM(convolution_param);
  COPY_PARAM(data_param);
  COPY_PARAM(dropout_param);
  COPY_PARAM(dummy_data_param);
  COPY_PARAM(eltwise_param);
  COPY_PARAM(exp_param);
  COPY_PARAM(hdf5_data_param);
  COPY_PARAM(hdf5_output_param);
  COPY_PARAM(hinge_loss_param);
  COPY_PARAM(image_data_param);
  COPY_PARAM(infogain_loss_param);
  COPY_PARAM(inner_product_param);
  COPY_PARAM(lrn_param);
  COPY_PARAM(memory_data_param);
  COPY_PARAM(mvn_param);
  COPY_PARAM(pooling_param);
  COPY_PARAM(power_param);
  COPY_PARAM(relu_param);
  COPY_PARAM(sigmoid_param);
  COPY_PARAM(softmax_param);
  COPY_PARAM(slice_param);
  COPY_PARAM(tanh_param);
  COPY_PARAM(threshold_param);
  COPY_PARAM(window_data_param);
  COPY_PARAM(transform_param);
  COPY_PARAM(loss_param);
#undef COPY_PARAM
}

void UpgradeNetInput(NetParameter* param) {
  const bool has_shape = param->input_shape_size() > 0;
  const bool has_dim = param->input_dim_size() > 0;
  if (has_shape || has_dim) {
    CAFFE_REQUIRE(!has_shape || param->input_shape_size() == param->input_size(), ConfigError,
                  "net '", param->name(), "' has ", param->input_size(), " inputs but ",
                  param->input_shape_size(), " input_shape entries");
    CAFFE_REQUIRE(!has_dim || param->input_dim_size() == 4 * param->input_size(), ConfigError,
                  "net '", param->name(), "' needs 4 input_dim values per input, got ",
                  param->input_dim_size(), " for ", param->input_size(), " inputs");
    LayerParameter input_layer;
    input_layer.set_name("input");
    input_layer.set_type("Input");
    for (int i = 0; i < param->input_size(); ++i) {
      input_layer.add_top(param->input(i));
      BlobShape* shape = input_layer.mutable_input_param()->add_shape();
      if (has_shape) {
        shape->CopyFrom(param->input_shape(i));
      } else {
        for (int d = 4 * i; d < 4 * i + 4; ++d) shape->add_dim(param->input_dim(d));
      }
    }
    // The inputs must come before every layer that reads them.
    google::protobuf::RepeatedPtrField<LayerParameter> layers;
    layers.Swap(param->mutable_layer());
    param->add_layer()->CopyFrom(input_layer);
    for (auto& layer : layers) param->add_layer()->Swap(&layer);
  }
  // A legacy model with bare `input` names and no shapes needs nothing else.
  param->clear_input();
  param->clear_input_shape();
  param->clear_input_dim();
}

}  // namespace

const char* UpgradeV1LayerType(V1LayerParameter_LayerType type) {
  switch (type) {
    case V1LayerParameter_LayerType_NONE: return "";
    case V1LayerParameter_LayerType_ABSVAL: return "AbsVal";
    case V1LayerParameter_LayerType_ACCURACY: return "Accuracy";
    case V1LayerParameter_LayerType_ARGMAX: return "ArgMax";
    case V1LayerParameter_LayerType_BNLL: return "BNLL";
    case V1LayerParameter_LayerType_CONCAT: return "Concat";
    case V1LayerParameter_LayerType_CONTRASTIVE_LOSS: return "ContrastiveLoss";
    case V1LayerParameter_LayerType_CONVOLUTION: return "Convolution";
    case V1LayerParameter_LayerType_DECONVOLUTION: return "Deconvolution";
    case V1LayerParameter_LayerType_DATA: return "Data";
    case V1LayerParameter_LayerType_DROPOUT: return "Dropout";
    case V1LayerParameter_LayerType_DUMMY_DATA: return "DummyData";
    case V1LayerParameter_LayerType_EUCLIDEAN_LOSS: return "EuclideanLoss";
    case V1LayerParameter_LayerType_ELTWISE: return "Eltwise";
    case V1LayerParameter_LayerType_EXP: return "Exp";
    case V1LayerParameter_LayerType_FLATTEN: return "Flatten";
    case V1LayerParameter_LayerType_HDF5_DATA: return "HDF5Data";
    case V1LayerParameter_LayerType_HDF5_OUTPUT: return "HDF5Output";
    case V1LayerParameter_LayerType_HINGE_LOSS: return "HingeLoss";
    case V1LayerParameter_LayerType_IM2COL: return "Im2col";
    case V1LayerParameter_LayerType_IMAGE_DATA: return "ImageData";
    case V1LayerParameter_LayerType_INFOGAIN_LOSS: return "InfogainLoss";
    case V1LayerParameter_LayerType_INNER_PRODUCT: return "InnerProduct";
    case V1LayerParameter_LayerType_LRN: return "LRN";
    case V1LayerParameter_LayerType_MEMORY_DATA: return "MemoryData";
    case V1LayerParameter_LayerType_MULTINOMIAL_LOGISTIC_LOSS: return "MultinomialLogisticLoss";
    case V1LayerParameter_LayerType_MVN: return "MVN";
    case V1LayerParameter_LayerType_POOLING: return "Pooling";
    case V1LayerParameter_LayerType_POWER: return "Power";
    case V1LayerParameter_LayerType_RELU: return "ReLU";
    case V1LayerParameter_LayerType_SIGMOID: return "Sigmoid";
    case V1LayerParameter_LayerType_SIGMOID_CROSS_ENTROPY_LOSS: return "SigmoidCrossEntropyLoss";
    case V1LayerParameter_LayerType_SILENCE: return "Silence";
    case V1LayerParameter_LayerType_SOFTMAX: return "Softmax";
    case V1LayerParameter_LayerType_SOFTMAX_LOSS: return "SoftmaxWithLoss";
    case V1LayerParameter_LayerType_SPLIT: return "Split";
    case V1LayerParameter_LayerType_SLICE: return "Slice";
    case V1LayerParameter_LayerType_TANH: return "TanH";
    case V1LayerParameter_LayerType_WINDOW_DATA: return "WindowData";
    case V1LayerParameter_LayerType_THRESHOLD: return "Threshold";
  }
  return "";
}

bool NetNeedsUpgrade(const NetParameter& param) {
  return NetNeedsV1Upgrade(param) || NetNeedsInputUpgrade(param) ||
         NetNeedsBatchNormUpgrade(param);
}

void UpgradeNetAsNeeded(const string& source, NetParameter* param) {
  if (NetNeedsV1Upgrade(*param)) {
    CAFFE_REQUIRE(param->layer_size() == 0, ConfigError, source,
                  ": the net mixes legacy `layers` and current `layer` entries");
    NetParameter upgraded;
    upgraded.CopyFrom(*param);
    upgraded.clear_layers();
    for (int i = 0; i < param->layers_size(); ++i) {
      V1LayerParameter v1 = param->layers(i);
      // Field 1 of a V1 layer held a whole V0 layer definition.
      CAFFE_REQUIRE(v1.GetReflection()->GetUnknownFields(v1).empty(), ConfigError, source,
                    ": layer ", i, " is in the pre-2014 V0 format, which this engine does not "
                    "upgrade; convert it with upstream Caffe's upgrade_net_proto_text first");
      UpgradeV1DataTransformation(&v1);
      UpgradeV1Layer(source, v1, upgraded.add_layer());
    }
    param->Swap(&upgraded);
    LOG(INFO) << source << ": upgraded legacy V1 layers to the current format";
  }
  if (NetNeedsInputUpgrade(*param)) UpgradeNetInput(param);
  if (NetNeedsBatchNormUpgrade(*param)) {
    for (int i = 0; i < param->layer_size(); ++i) {
      LayerParameter* layer = param->mutable_layer(i);
      if (layer->type() == "BatchNorm" && layer->param_size() == 3) layer->clear_param();
    }
  }
}

void ReadNetParamsFromTextFile(const string& param_file, NetParameter* param) {
  ReadProtoFromTextFile(param_file, param);
  UpgradeNetAsNeeded(param_file, param);
}

void ReadNetParamsFromBinaryOrTextFile(const string& param_file, NetParameter* param) {
  ReadProtoFromBinaryOrTextFile(param_file, param);
  UpgradeNetAsNeeded(param_file, param);
}

void UpgradeSolverAsNeeded(const string& source, SolverParameter* param) {
  if (!param->has_solver_type()) return;
  const char* type = "SGD";
  switch (param->solver_type()) {
    case SolverParameter_SolverType_SGD: type = "SGD"; break;
    case SolverParameter_SolverType_NESTEROV: type = "Nesterov"; break;
    case SolverParameter_SolverType_ADAGRAD: type = "AdaGrad"; break;
    case SolverParameter_SolverType_RMSPROP: type = "RMSProp"; break;
    case SolverParameter_SolverType_ADADELTA: type = "AdaDelta"; break;
    case SolverParameter_SolverType_ADAM: type = "Adam"; break;
  }
  CAFFE_REQUIRE(!param->has_type() || param->type() == type, ConfigError, source,
                ": both the legacy solver_type and type are given and they disagree");
  param->set_type(type);
  param->clear_solver_type();
}

void ReadSolverParamsFromTextFile(const string& param_file, SolverParameter* param) {
  ReadProtoFromTextFile(param_file, param);
  UpgradeSolverAsNeeded(param_file, param);
  // Snapshots default to the solver file's path without its extension; a
  // prefix that names a directory gets the solver file's stem appended.
  const size_t slash = param_file.find_last_of('/');
  const string base = slash == string::npos ? param_file : param_file.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  const string stem = dot == string::npos ? base : base.substr(0, dot);
  if (!param->has_snapshot_prefix()) {
    param->set_snapshot_prefix(JoinPath(DirName(param_file), stem));
  } else if (!param->snapshot_prefix().empty() && param->snapshot_prefix().back() == '/') {
    param->set_snapshot_prefix(param->snapshot_prefix() + stem);
  }
}

}  // namespace caffe
