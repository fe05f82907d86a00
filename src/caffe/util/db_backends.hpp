// Constructors of the concrete DB backends, private to the library so that
// the LMDB and LevelDB headers stay out of the public include tree.
#pragma once

#include "caffe/util/db.hpp"

namespace caffe {
namespace db {

DB* NewLMDB();
DB* NewLevelDB();

}  // namespace db
}  // namespace caffe
