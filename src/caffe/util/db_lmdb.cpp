// LMDB backend. Readers open the environment with MDB_RDONLY|MDB_NOLOCK so
// that databases in read-only directories (shared datasets) can be read
// without creating or locking lock.mdb; MDB_NOTLS lets a read transaction live
// on whichever thread owns its cursor. Writers buffer their records and grow
// the memory map whenever a commit finds it full.
#include <errno.h>
#include <lmdb.h>
#include <sys/stat.h>

#include <cstring>

#include "caffe/util/db_backends.hpp"

namespace caffe {
namespace db {
namespace {

void CheckLMDB(int rc, const string& source, const char* what) {
  CAFFE_REQUIRE(rc == MDB_SUCCESS, IOError, "LMDB ", source, ": ", what, " failed: ",
                mdb_strerror(rc));
}

class LMDBCursor : public Cursor {
 public:
  LMDBCursor(MDB_env* env, const string& source) : source_(source) {
    CheckLMDB(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_), source_, "beginning a read");
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn_, nullptr, 0, &dbi);
    if (rc == MDB_SUCCESS) rc = mdb_cursor_open(txn_, dbi, &cursor_);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn_);
      CheckLMDB(rc, source_, "opening a cursor");
    }
    SeekToFirst();
  }
  ~LMDBCursor() override {
    mdb_cursor_close(cursor_);
    mdb_txn_abort(txn_);
  }
  void SeekToFirst() override { Move(MDB_FIRST); }
  void Seek(const string& key) override {
    key_.mv_size = key.size();
    key_.mv_data = const_cast<char*>(key.data());
    Move(MDB_SET_RANGE);
  }
  void Next() override { Move(MDB_NEXT); }
  string key() const override {
    return string(static_cast<const char*>(key_.mv_data), key_.mv_size);
  }
  string value() const override {
    return string(static_cast<const char*>(value_.mv_data), value_.mv_size);
  }
  bool valid() const override { return valid_; }

 private:
  void Move(MDB_cursor_op op) {
    const int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
    if (rc == MDB_NOTFOUND) {
      valid_ = false;
      return;
    }
    CheckLMDB(rc, source_, "reading a record");
    valid_ = true;
  }

  string source_;
  MDB_txn* txn_ = nullptr;
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{}, value_{};
  bool valid_ = false;
};

class LMDBTransaction : public Transaction {
 public:
  LMDBTransaction(MDB_env* env, const string& source) : env_(env), source_(source) {}
  void Put(const string& key, const string& value) override {
    keys_.push_back(key);
    values_.push_back(value);
  }
  void Commit() override {
    while (!TryCommit()) DoubleMapSize();
    keys_.clear();
    values_.clear();
  }

 private:
  // False when the map filled up; nothing has been written then.
  bool TryCommit() {
    MDB_txn* txn;
    CheckLMDB(mdb_txn_begin(env_, nullptr, 0, &txn), source_, "beginning a write");
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    for (size_t i = 0; rc == MDB_SUCCESS && i < keys_.size(); ++i) {
      MDB_val key{keys_[i].size(), const_cast<char*>(keys_[i].data())};
      MDB_val value{values_[i].size(), const_cast<char*>(values_[i].data())};
      rc = mdb_put(txn, dbi, &key, &value, 0);
    }
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      if (rc == MDB_MAP_FULL) return false;
      CheckLMDB(rc, source_, "writing a record");
    }
    rc = mdb_txn_commit(txn);
    if (rc == MDB_MAP_FULL) return false;
    CheckLMDB(rc, source_, "committing");
    return true;
  }
  void DoubleMapSize() {
    MDB_envinfo info;
    CheckLMDB(mdb_env_info(env_, &info), source_, "reading the map size");
    CheckLMDB(mdb_env_set_mapsize(env_, info.me_mapsize * 2), source_, "growing the map");
  }

  MDB_env* env_;
  string source_;
  vector<string> keys_, values_;
};

class LMDB : public DB {
 public:
  ~LMDB() override { Close(); }
  void Open(const string& source, Mode mode) override {
    Close();
    source_ = source;
    struct stat info;
    const bool exists = stat(source.c_str(), &info) == 0;
    if (mode == NEW) {
      CAFFE_REQUIRE(!exists, IOError, "cannot create LMDB ", source,
                    ": something already exists there");
      CAFFE_REQUIRE(mkdir(source.c_str(), 0744) == 0, IOError, "cannot create LMDB directory ",
                    source, ": ", std::strerror(errno));
    } else {
      CAFFE_REQUIRE(exists, IOError, "LMDB ", source, " does not exist");
      CAFFE_REQUIRE(S_ISDIR(info.st_mode), IOError, "LMDB ", source, " is not a directory");
    }
    CheckLMDB(mdb_env_create(&env_), source, "creating the environment");
    const unsigned int flags = mode == READ ? (MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS) : 0;
    const int rc = mdb_env_open(env_, source.c_str(), flags, 0664);
    if (rc != MDB_SUCCESS) {
      mdb_env_close(env_);
      env_ = nullptr;
      CheckLMDB(rc, source, "opening");
    }
  }
  void Close() override {
    if (env_) mdb_env_close(env_);
    env_ = nullptr;
  }
  Cursor* NewCursor() override {
    CHECK(env_) << "NewCursor on a closed LMDB";
    return new LMDBCursor(env_, source_);
  }
  Transaction* NewTransaction() override {
    CHECK(env_) << "NewTransaction on a closed LMDB";
    return new LMDBTransaction(env_, source_);
  }
  size_t Count() override {
    CHECK(env_) << "Count on a closed LMDB";
    MDB_txn* txn = nullptr;
    CheckLMDB(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), source_, "beginning a read");
    MDB_dbi dbi;
    MDB_stat stat{};
    int rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    if (rc == MDB_SUCCESS) rc = mdb_stat(txn, dbi, &stat);
    mdb_txn_abort(txn);
    CheckLMDB(rc, source_, "reading the record count");
    return stat.ms_entries;
  }

 private:
  MDB_env* env_ = nullptr;
  string source_;
};

}  // namespace

DB* NewLMDB() { return new LMDB(); }

}  // namespace db
}  // namespace caffe
