// Where the C++ tests find the fixtures produced by upstream Caffe 1.0
// (tests/fixtures/upstream; its README says how they were made).
//
// Tests read the plain files (layer cases, lenet's nets and weights) in place,
// but never open the tracked databases: UpstreamDigits() returns a private copy
// of digits/ made once per test process under /tmp and removed at exit,
// because opening a LevelDB rewrites files in its folder and the tracked
// fixtures must stay byte-identical. Not thread-safe on first use; call it from
// the test thread.
#pragma once

#include <string>

namespace caffe {
namespace testing_data {

// The tracked folder (digits/, layers/, lenet/ beneath it), for reading files.
// Throws std::runtime_error naming the folder when the fixtures are missing, so
// a test fails with that message instead of running on empty inputs.
std::string UpstreamFixtures();

// This process's copy of digits/ (images, lists, databases, mean).
const std::string& UpstreamDigits();

// Copies the folder `source` into a new temporary folder and returns the copy's
// path; the caller removes it. Throws std::runtime_error when `source` is not a
// folder.
std::string CopyTreeToTemporary(const std::string& source);

}  // namespace testing_data
}  // namespace caffe
