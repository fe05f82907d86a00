// Loading nets and solvers written for older versions of Caffe.
//
// Supported upgrades, applied in this order on load: legacy V1 nets
// (`layers { type: CONVOLUTION }`) become `layer { type: "Convolution" }`;
// data-layer transformation fields (scale, mean_file, crop_size, mirror inside
// data_param) move into transform_param; net-level `input`/`input_shape`/
// `input_dim` become an Input layer; BatchNorm param specs (from the era when
// they had to freeze the statistics) are dropped. The even older V0 format
// (`layers { layer { ... } }`) is refused with a ConfigError that says so.
// Solvers: the enum `solver_type` becomes the string `type`; a missing
// snapshot_prefix defaults to the solver file's path without extension.
#pragma once

#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

bool NetNeedsUpgrade(const NetParameter& net_param);
// Upgrades in place; `source` names the file in messages.
void UpgradeNetAsNeeded(const string& source, NetParameter* param);
// V1 layer type enum -> layer type string ("" when unknown).
const char* UpgradeV1LayerType(V1LayerParameter_LayerType type);

void ReadNetParamsFromTextFile(const string& param_file, NetParameter* param);
void ReadNetParamsFromBinaryOrTextFile(const string& param_file, NetParameter* param);

void UpgradeSolverAsNeeded(const string& source, SolverParameter* param);
void ReadSolverParamsFromTextFile(const string& param_file, SolverParameter* param);

}  // namespace caffe
