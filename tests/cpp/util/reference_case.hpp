// Runs one upstream-produced layer case from tests/fixtures/upstream/layers/<name>:
// builds the layer named "under_test" from the case's net, feeds the recorded
// inputs and parameters, and compares tops, bottom diffs and parameter diffs
// with upstream's (|ours - theirs| <= 1e-4 * max(1, |theirs|)).
#pragma once

#include <string>

namespace caffe {

template <typename Dtype>
void CheckReferenceLayerCase(const std::string& case_name);

// tests/fixtures/upstream, read in place (see util/fixtures.hpp).
std::string ReferenceDir();

}  // namespace caffe
