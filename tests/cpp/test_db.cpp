// DB backends, BlockingQueue, InternalThread and DataReader.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "caffe/data/data_reader.hpp"
#include "caffe/util/blocking_queue.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/internal_thread.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::CopyFixture;
using testing_data::DigitsDir;
using testing_data::ReadDB;
using testing_data::TempDir;
using testing_data::WriteDB;

string ExpectedKey(int index, const string& path) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08d", index);
  return string(prefix) + "_" + path;
}

TEST(DBTest, ReadsUpstreamLMDBInListOrder) {
  const auto list = testing_data::ReadDigitsList("train.txt");
  ASSERT_EQ(list.size(), 1500u);
  const auto records = ReadDB("lmdb", DigitsDir() + "/train_lmdb");
  ASSERT_EQ(records.size(), list.size());
  for (size_t i = 0; i < list.size(); i += 97) {
    EXPECT_EQ(records[i].first, ExpectedKey(static_cast<int>(i), list[i].first));
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(records[i].second));
    EXPECT_EQ(datum.channels(), 1);
    EXPECT_EQ(datum.height(), 28);
    EXPECT_EQ(datum.width(), 28);
    EXPECT_EQ(datum.label(), list[i].second);
    const cv::Mat image = testing_data::ReadDigit(list[i].first);
    EXPECT_EQ(datum.data(), string(reinterpret_cast<const char*>(image.data), 28 * 28));
  }
}

TEST(DBTest, UpstreamLevelDBHoldsTheSameRecordsAsLMDB) {
  TempDir dir;
  const auto leveldb_records = ReadDB("leveldb", CopyFixture("train_leveldb", dir));
  const auto lmdb_records = ReadDB("lmdb", DigitsDir() + "/train_lmdb");
  EXPECT_TRUE(leveldb_records == lmdb_records);
}

TEST(DBTest, ReadOnlyLMDBOpenCreatesNoLockFile) {
  TempDir dir;
  const string source = dir.Join("db");
  std::filesystem::create_directory(source);
  std::filesystem::copy_file(DigitsDir() + "/test_lmdb/data.mdb", source + "/data.mdb");
  EXPECT_EQ(ReadDB("lmdb", source).size(), 297u);
  EXPECT_FALSE(std::filesystem::exists(source + "/lock.mdb"));
}

TEST(DBTest, LMDBWriteGrowsTheMapSize) {
  TempDir dir;
  // 40 MiB in one commit: well past LMDB's default 10 MiB map.
  vector<pair<string, string>> records;
  for (int i = 0; i < 40; ++i) {
    records.emplace_back(ExpectedKey(i, "big"), string(1 << 20, static_cast<char>('a' + i % 26)));
  }
  WriteDB("lmdb", dir.Join("db"), records);
  EXPECT_TRUE(ReadDB("lmdb", dir.Join("db")) == records);
}

TEST(DBTest, RoundTripInKeyOrderForBothBackends) {
  for (const string backend : {"lmdb", "leveldb"}) {
    TempDir dir;
    std::unique_ptr<db::DB> database(db::GetDB(backend));
    database->Open(dir.Join("db"), db::NEW);
    std::unique_ptr<db::Transaction> txn(database->NewTransaction());
    txn->Put("b", "2");
    txn->Put("a", "1");
    txn->Commit();
    txn.reset(database->NewTransaction());
    txn->Put("c", string("3\0x", 3));
    txn->Commit();
    txn.reset();
    database->Close();
    const vector<pair<string, string>> expected = {{"a", "1"}, {"b", "2"}, {"c", string("3\0x", 3)}};
    EXPECT_TRUE(ReadDB(backend, dir.Join("db")) == expected) << backend;

    database->Open(dir.Join("db"), db::READ);
    std::unique_ptr<db::Cursor> cursor(database->NewCursor());
    cursor->Next();
    cursor->Next();
    cursor->Next();
    EXPECT_FALSE(cursor->valid());
    cursor->SeekToFirst();
    ASSERT_TRUE(cursor->valid());
    EXPECT_EQ(cursor->key(), "a");
  }
}

TEST(DBTest, MissingDatabaseIsAnIOErrorNamingThePath) {
  for (const string backend : {"lmdb", "leveldb"}) {
    std::unique_ptr<db::DB> database(db::GetDB(backend));
    try {
      database->Open("/nonexistent/digits_db", db::READ);
      FAIL() << backend << " opened a missing database";
    } catch (const IOError& e) {
      EXPECT_NE(string(e.what()).find("/nonexistent/digits_db"), string::npos) << e.what();
    }
  }
}

TEST(DBTest, NewOnAnExistingDatabaseIsAnIOError) {
  TempDir dir;
  for (const string backend : {"lmdb", "leveldb"}) {
    const string path = dir.Join(backend);
    WriteDB(backend, path, {{"k", "v"}});
    std::unique_ptr<db::DB> database(db::GetDB(backend));
    EXPECT_THROW(database->Open(path, db::NEW), IOError) << backend;
  }
}

TEST(DBTest, GetDBByNameAndEnum) {
  EXPECT_THROW(db::GetDB("rocksdb"), ConfigError);
  TempDir dir;
  WriteDB("lmdb", dir.Join("db"), {{"k", "v"}});
  std::unique_ptr<db::DB> database(db::GetDB(DataParameter::LMDB));
  database->Open(dir.Join("db"), db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  EXPECT_EQ(cursor->value(), "v");
}

TEST(BlockingQueueTest, FifoTryPopPeekSize) {
  BlockingQueue<int> queue;
  int value = -1;
  EXPECT_FALSE(queue.try_pop(&value));
  EXPECT_FALSE(queue.try_peek(&value));
  queue.push(1);
  queue.push(2);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.peek(), 1);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_TRUE(queue.try_pop(&value));
  EXPECT_EQ(value, 2);
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BlockingQueueTest, PopWaitsForAProducer) {
  BlockingQueue<int> queue;
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    queue.push(7);
  });
  EXPECT_EQ(queue.pop(), 7);
  producer.join();
}

// Blocks in a pop that nothing will ever satisfy.
class BlockedThread : public InternalThread {
 public:
  ~BlockedThread() override { StopInternalThread(); }
  BlockingQueue<int> queue;
  std::atomic<bool> interrupted{false};

 protected:
  void InternalThreadEntry() override {
    try {
      queue.pop();
    } catch (const ThreadInterrupted&) {
      interrupted = true;
      throw;
    }
  }
};

TEST(InternalThreadTest, StopInterruptsABlockedPop) {
  BlockedThread thread;
  thread.StartInternalThread();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto start = std::chrono::steady_clock::now();
  thread.StopInternalThread();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_TRUE(thread.interrupted);
  EXPECT_FALSE(thread.is_started());
  thread.StopInternalThread();
}

class DrawingThread : public InternalThread {
 public:
  ~DrawingThread() override { StopInternalThread(); }
  unsigned int draw = 0;

 protected:
  void InternalThreadEntry() override { draw = caffe_rng_rand(); }
};

TEST(InternalThreadTest, ChildRngIsSeededFromAParentDraw) {
  Caffe::set_random_seed(1701);
  DrawingThread first;
  first.StartInternalThread();
  first.StopInternalThread();
  // The parent drew one number to seed the child.
  Caffe::rng_t parent(1701);
  Caffe::rng_t child(parent());
  EXPECT_EQ(first.draw, child());
  EXPECT_EQ(caffe_rng_rand(), parent());

  Caffe::set_random_seed(1701);
  DrawingThread second;
  second.StartInternalThread();
  second.StopInternalThread();
  EXPECT_EQ(first.draw, second.draw);
}

class ThrowingThread : public InternalThread {
 public:
  ~ThrowingThread() override { StopInternalThread(); }
  std::exception_ptr failure;

 protected:
  void InternalThreadEntry() override { CAFFE_THROW(DataError, "bad record"); }
  void InternalThreadFailed(std::exception_ptr error) override { failure = error; }
};

TEST(InternalThreadTest, AnEscapingExceptionReachesTheFailureHandler) {
  ThrowingThread thread;
  thread.StartInternalThread();
  thread.StopInternalThread();
  ASSERT_TRUE(thread.failure);
  EXPECT_THROW(std::rethrow_exception(thread.failure), DataError);
}

TEST(DataReaderTest, ReadsInOrderAndWrapsAround) {
  const auto expected = ReadDB("lmdb", DigitsDir() + "/test_lmdb");
  ASSERT_EQ(expected.size(), 297u);
  DataReader reader(DigitsDir() + "/test_lmdb", DataParameter::LMDB, 16);
  reader.Start();
  EXPECT_EQ(reader.Peek()->key, expected[0].first);
  RawRecord record;
  for (size_t i = 0; i < expected.size() + 5; ++i) {
    reader.Read(&record);
    ASSERT_EQ(record.key, expected[i % expected.size()].first) << i;
    ASSERT_EQ(record.value, expected[i % expected.size()].second) << i;
  }
}

TEST(DataReaderTest, MissingDatabaseReachesTheConsumer) {
  DataReader reader("/nonexistent/reader_db", DataParameter::LEVELDB, 4);
  reader.Start();
  RawRecord record;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      reader.Read(&record);
      FAIL() << "read from a missing database";
    } catch (const IOError& e) {
      EXPECT_NE(string(e.what()).find("/nonexistent/reader_db"), string::npos) << e.what();
    }
  }
}

TEST(DataReaderTest, EmptyDatabaseIsADataError) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("db"), {});
  DataReader reader(dir.Join("db"), DataParameter::LMDB, 4);
  reader.Start();
  EXPECT_THROW(reader.Peek(), DataError);
}

TEST(DataReaderTest, DamagedLevelDBTableReachesTheConsumer) {
  TempDir dir;
  const string source = CopyFixture("train_leveldb", dir);
  for (const auto& entry : std::filesystem::directory_iterator(source)) {
    if (entry.path().extension() != ".ldb") continue;
    std::fstream table(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    table.seekp(1000);
    table << string(4000, 'X');
  }
  DataReader reader(source, DataParameter::LEVELDB, 4);
  reader.Start();
  RawRecord record;
  try {
    for (int i = 0; i < 3000; ++i) reader.Read(&record);
    FAIL() << "a damaged table went unnoticed";
  } catch (const DataError& e) {
    EXPECT_NE(string(e.what()).find(source), string::npos) << e.what();
  }
}

TEST(DataReaderTest, DestroyingWhileTheQueueIsFullIsQuick) {
  for (int i = 0; i < 20; ++i) {
    DataReader reader(DigitsDir() + "/train_lmdb", DataParameter::LMDB, 8);
    reader.Start();
    if (i % 2) reader.Peek();
  }
}

}  // namespace
}  // namespace caffe
