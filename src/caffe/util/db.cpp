#include "caffe/util/db.hpp"

#include "caffe/util/db_backends.hpp"

namespace caffe {
namespace db {

DB* GetDB(DataParameter::DB backend) {
  switch (backend) {
    case DataParameter::LEVELDB:
      return NewLevelDB();
    case DataParameter::LMDB:
      return NewLMDB();
  }
  CAFFE_THROW(ConfigError, "unknown database backend ", static_cast<int>(backend));
}

DB* GetDB(const string& backend) {
  if (backend == "leveldb") return NewLevelDB();
  if (backend == "lmdb") return NewLMDB();
  CAFFE_THROW(ConfigError, "unknown database backend '", backend,
              "' (expected 'lmdb' or 'leveldb')");
}

}  // namespace db
}  // namespace caffe
