// Where the C++ tests find the fixtures produced by upstream Caffe 1.0
// (tests/fixtures/upstream; its README says how they were made).
//
// Tests never open the tracked folder itself: UpstreamFixtures() returns a
// private copy made once per test process under /tmp and removed at exit,
// because opening a LevelDB rewrites files in its folder and the tracked
// fixtures must stay byte-identical. Not thread-safe on first use; call it from
// the test thread.
#pragma once

#include <string>

namespace caffe {
namespace testing_data {

// The root of this process's copy (digits/, layers/, lenet/ beneath it).
// Throws std::runtime_error naming the folder when the fixtures are missing, so
// a test fails with that message instead of running on empty inputs.
const std::string& UpstreamFixtures();

// Copies the folder `source` into a new temporary folder and returns the copy's
// path; the caller removes it. Throws std::runtime_error when `source` is not a
// folder.
std::string CopyTreeToTemporary(const std::string& source);

}  // namespace testing_data
}  // namespace caffe
