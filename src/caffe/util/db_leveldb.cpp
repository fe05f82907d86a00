// LevelDB backend, opened with the same options upstream Caffe uses (64 KiB
// blocks, 256 MiB write buffer) so that written databases look alike.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <memory>

#include "caffe/util/db_backends.hpp"
#include "caffe/util/io.hpp"

namespace caffe {
namespace db {
namespace {

class LevelDBCursor : public Cursor {
 public:
  LevelDBCursor(leveldb::Iterator* iter, const string& source) : iter_(iter), source_(source) {
    SeekToFirst();
  }
  void SeekToFirst() override {
    iter_->SeekToFirst();
    CheckStatus();
  }
  void SeekToLast() override {
    iter_->SeekToLast();
    CheckStatus();
  }
  void Seek(const string& key) override {
    iter_->Seek(key);
    CheckStatus();
  }
  void Next() override {
    if (iter_->Valid()) last_key_ = iter_->key().ToString();
    iter_->Next();
    CheckStatus();
  }
  string key() const override { return iter_->key().ToString(); }
  string value() const override { return iter_->value().ToString(); }
  bool valid() const override { return iter_->Valid(); }

 private:
  // An iterator that stops early because of a damaged table reports it only
  // through status(); surface that instead of pretending the DB ended.
  void CheckStatus() {
    if (iter_->Valid()) return;
    const leveldb::Status status = iter_->status();
    if (status.ok()) return;
    const string where = last_key_.empty() ? string("at the first record")
                                           : "after record '" + last_key_ + "'";
    CAFFE_REQUIRE(!status.IsCorruption(), DataError, "LevelDB ", source_, " is damaged ", where,
                  ": ", status.ToString());
    CAFFE_THROW(IOError, "LevelDB ", source_, ": reading failed ", where, ": ",
                status.ToString());
  }

  std::unique_ptr<leveldb::Iterator> iter_;
  string source_;
  string last_key_;
};

class LevelDBTransaction : public Transaction {
 public:
  LevelDBTransaction(leveldb::DB* db, const string& source) : db_(db), source_(source) {}
  void Put(const string& key, const string& value) override { batch_.Put(key, value); }
  void Commit() override {
    const leveldb::Status status = db_->Write(leveldb::WriteOptions(), &batch_);
    CAFFE_REQUIRE(status.ok(), IOError, "LevelDB ", source_, ": commit failed: ",
                  status.ToString());
    batch_.Clear();
  }

 private:
  leveldb::DB* db_;
  string source_;
  leveldb::WriteBatch batch_;
};

class LevelDB : public DB {
 public:
  void Open(const string& source, Mode mode) override {
    Close();
    source_ = source;
    if (mode != NEW) {
      CAFFE_REQUIRE(FileExists(source), IOError, "LevelDB ", source, " does not exist");
    }
    leveldb::Options options;
    options.block_size = 65536;
    options.write_buffer_size = 268435456;
    options.max_open_files = 100;
    options.error_if_exists = mode == NEW;
    options.create_if_missing = mode != READ;
    leveldb::DB* db = nullptr;
    const leveldb::Status status = leveldb::DB::Open(options, source, &db);
    CAFFE_REQUIRE(!status.IsCorruption(), DataError, "LevelDB ", source, " is damaged: ",
                  status.ToString());
    CAFFE_REQUIRE(status.ok(), IOError, "cannot open LevelDB ", source, ": ",
                  status.ToString());
    db_.reset(db);
  }
  void Close() override { db_.reset(); }
  Cursor* NewCursor() override {
    CHECK(db_) << "NewCursor on a closed LevelDB";
    leveldb::ReadOptions options;
    options.verify_checksums = true;
    return new LevelDBCursor(db_->NewIterator(options), source_);
  }
  Transaction* NewTransaction() override {
    CHECK(db_) << "NewTransaction on a closed LevelDB";
    return new LevelDBTransaction(db_.get(), source_);
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
  string source_;
};

}  // namespace

DB* NewLevelDB() { return new LevelDB(); }

}  // namespace db
}  // namespace caffe
