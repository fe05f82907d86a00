// Which implementation computes the layers that have two: the reference path
// (im2col + OpenBLAS and plain loops, the same in every build) and oneDNN
// (Intel's deep-learning primitives, JIT-compiled for the CPU found at run
// time; only in builds configured with it, and only for float nets).
//
// A layer's `engine:` field (ConvolutionParameter, InnerProductParameter,
// PoolingParameter, LRNParameter, ReLUParameter, BatchNormParameter,
// SoftmaxParameter) chooses per layer: CAFFE is the reference path, ONEDNN
// asks for oneDNN, DEFAULT means DefaultEngine(), and upstream's CUDNN means
// DEFAULT in this CPU-only build (with a warning). A oneDNN layer still runs
// the reference path for the cases oneDNN cannot compute exactly as upstream
// does (docs/engine.md lists them).
//
// DefaultEngine() is kOnednn when the build has oneDNN, unless the
// environment says CAFFE_ENGINE=CAFFE when libcaffe loads, or
// SetDefaultEngine(kCaffe) was called. It is read when a layer is created,
// so a change affects nets built afterwards. Process-wide; thread-safe.
#pragma once

#include <string>

namespace caffe {

enum class Engine { kCaffe, kOnednn };

// True when this build computes layers with oneDNN.
bool OnednnAvailable();
Engine DefaultEngine();
// Throws ConfigError for kOnednn in a build without oneDNN.
void SetDefaultEngine(Engine engine);
// "CAFFE" or "ONEDNN", as in prototxt files.
std::string EngineName(Engine engine);

}  // namespace caffe
