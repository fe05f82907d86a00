// LMDB backend. Readers open the environment with MDB_RDONLY|MDB_NOLOCK so
// that databases in read-only directories (shared datasets) can be read
// without creating or locking lock.mdb; MDB_NOTLS lets a read transaction live
// on whichever thread owns its cursor. Writers buffer their records and grow
// the memory map whenever a commit finds it full.
//
// Damaged files: liblmdb maps data.mdb and follows the page numbers it finds
// there, so a file shorter than its meta page says (an interrupted copy) would
// make it touch memory past the end of the file: SIGBUS. Open() therefore
// compares data.mdb's size with the extent recorded in the newest meta page
// and refuses a short file with a DataError; cursors check that every record
// they return lies inside the file, and turn liblmdb's own corruption reports
// into DataErrors naming the database and the last good key.
#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

#include "caffe/util/db_backends.hpp"

namespace caffe {
namespace db {
namespace {

bool IsCorruption(int rc) {
  return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID ||
         rc == MDB_VERSION_MISMATCH || rc == MDB_BAD_TXN || rc == MDB_BAD_VALSIZE;
}

void CheckLMDB(int rc, const string& source, const char* what) {
  if (rc == MDB_SUCCESS) return;
  if (IsCorruption(rc)) {
    CAFFE_THROW(DataError, "LMDB ", source, " is damaged: ", what, " failed: ", mdb_strerror(rc));
  }
  CAFFE_THROW(IOError, "LMDB ", source, ": ", what, " failed: ", mdb_strerror(rc));
}

// The two meta pages at the start of data.mdb (liblmdb 0.9's layout on a
// 64-bit machine): liblmdb trusts them, dividing by the page size and mapping
// as many pages as the newest one says, so they are checked before it sees
// them. Offsets are from the start of a meta page.
constexpr uint32_t kMetaMagic = 0xBEEFC0DE;
constexpr uint16_t kMetaPageFlag = 0x08;
constexpr size_t kMetaFlagsAt = 10, kMagicAt = 16, kVersionAt = 20, kMapSizeAt = 32;
constexpr size_t kPageSizeAt = 40, kFreeDbAt = 40, kMainDbAt = 88;
constexpr size_t kDbDepthAt = 6, kDbRootAt = 40;
constexpr size_t kLastPageAt = 136, kTxnIdAt = 144, kMetaBytes = 152;
constexpr uint64_t kNoPage = ~uint64_t(0);

template <typename T>
T Field(const unsigned char* page, size_t at) {
  T value;
  std::memcpy(&value, page + at, sizeof(T));
  return value;
}

void ValidateMetaPages(const string& source, const string& data_file, uint64_t file_size) {
  auto damaged = [&](const string& what) {
    CAFFE_THROW(DataError, "LMDB ", source, " is damaged: ", what);
  };
  const int fd = open(data_file.c_str(), O_RDONLY);
  CAFFE_REQUIRE(fd >= 0, IOError, "LMDB ", source, ": cannot open data.mdb: ",
                std::strerror(errno));
  unsigned char pages[2][kMetaBytes];
  uint32_t page_size = 0;
  bool read_ok = true;
  for (int i = 0; i < 2 && read_ok; ++i) {
    read_ok = pread(fd, pages[i], kMetaBytes, static_cast<off_t>(i) * page_size) ==
              static_cast<ssize_t>(kMetaBytes);
    if (i == 0 && read_ok) page_size = Field<uint32_t>(pages[0], kPageSizeAt);
    if (i == 0 && (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)))) {
      close(fd);
      if (!read_ok || Field<uint32_t>(pages[0], kMagicAt) != kMetaMagic) {
        damaged("data.mdb does not start with an LMDB meta page (not an LMDB file?)");
      }
      damaged(internal::Concat("its meta page gives a page size of ", page_size));
    }
  }
  close(fd);
  if (!read_ok) damaged(internal::Concat("data.mdb has only ", file_size, " bytes, less than "
                                         "its two meta pages (truncated?)"));
  int newest = -1;
  for (int i = 0; i < 2; ++i) {
    const unsigned char* meta = pages[i];
    const string which = internal::Concat("meta page ", i);
    if (!(Field<uint16_t>(meta, kMetaFlagsAt) & kMetaPageFlag) ||
        Field<uint32_t>(meta, kMagicAt) != kMetaMagic) {
      damaged(which + " is not a meta page (not an LMDB file?)");
    }
    if (Field<uint32_t>(meta, kVersionAt) != 1) {
      damaged(internal::Concat(which, " has format version ", Field<uint32_t>(meta, kVersionAt),
                               ", this liblmdb reads version 1"));
    }
    if (Field<uint32_t>(meta, kPageSizeAt) != page_size) {
      damaged(which + " disagrees with meta page 0 on the page size");
    }
    if (Field<uint64_t>(meta, kMapSizeAt) == 0) damaged(which + " gives a map size of 0");
    const uint64_t last_page = Field<uint64_t>(meta, kLastPageAt);
    if (last_page < 1 || last_page > (uint64_t(1) << 48)) {
      damaged(internal::Concat(which, " gives ", last_page, " as its last page"));
    }
    for (size_t db : {kFreeDbAt, kMainDbAt}) {
      const uint64_t root = Field<uint64_t>(meta, db + kDbRootAt);
      const uint16_t depth = Field<uint16_t>(meta, db + kDbDepthAt);
      if ((root != kNoPage && (root < 2 || root > last_page)) || depth > 32) {
        damaged(internal::Concat(which, " gives a tree root at page ", root, " of depth ",
                                 depth, " (pages 2..", last_page, " exist)"));
      }
    }
    if (newest < 0 || Field<uint64_t>(meta, kTxnIdAt) > Field<uint64_t>(pages[newest], kTxnIdAt)) {
      newest = i;
    }
  }
  const uint64_t last_page = Field<uint64_t>(pages[newest], kLastPageAt);
  const long double needed = (static_cast<long double>(last_page) + 1) * page_size;
  if (static_cast<long double>(file_size) < needed) {
    damaged(internal::Concat("data.mdb has ", file_size, " bytes but its meta page says the "
                             "data reaches ", static_cast<unsigned long long>(needed), " bytes (",
                             last_page + 1, " pages of ", page_size,
                             "); was the copy interrupted?"));
  }
}

// Debian's liblmdb keeps its internal assertions, which abort() on pages
// that make no sense. The assert callback runs first; throwing from it
// unwinds through liblmdb's C frames (built with unwind tables) and turns a
// damaged page into a DataError. The environment's user context is its path.
void ThrowOnAssert(MDB_env* env, const char* message) {
  const char* source = static_cast<const char*>(mdb_env_get_userctx(env));
  CAFFE_THROW(DataError, "LMDB ", source ? source : "(unknown)", " is damaged: ", message);
}

// A bit flip inside a branch or leaf page can send liblmdb's page walk to an
// address outside the map before any of its checks notice: SIGSEGV. While
// this thread is inside a read call on the map, such a fault jumps back to
// the call (GuardedGet) and becomes a DataError; faults anywhere else go to
// the handler that was installed before ours. liblmdb only reads a map opened
// read-only, so abandoning the call leaves no half-written state.
thread_local sigjmp_buf* t_fault_jump = nullptr;
struct sigaction previous_segv, previous_bus;

void OnFault(int signal, siginfo_t* info, void* context) {
  if (t_fault_jump) siglongjmp(*t_fault_jump, signal);
  const struct sigaction& previous = signal == SIGSEGV ? previous_segv : previous_bus;
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(signal, info, context);
  } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signal);
  } else {
    // Returning re-runs the faulting instruction, which now ends the process.
    std::signal(signal, SIG_DFL);
  }
}

void InstallFaultHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_sigaction = &OnFault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
  });
}

// mdb_cursor_get, with a fault in the map reported as *fault = the signal.
int GuardedGet(MDB_cursor* cursor, MDB_val* key, MDB_val* value, MDB_cursor_op op,
               int* fault) {
  sigjmp_buf jump;
  *fault = 0;
  const int signal = sigsetjmp(jump, 1);
  if (signal != 0) {
    t_fault_jump = nullptr;
    *fault = signal;
    return MDB_CORRUPTED;
  }
  t_fault_jump = &jump;
  const int rc = mdb_cursor_get(cursor, key, value, op);
  t_fault_jump = nullptr;
  return rc;
}

// Where data.mdb is mapped (several environments of one process may map the
// same file) and how many of the mapped bytes the file backs.
struct MappedFile {
  vector<const char*> begins;
  size_t size = 0;
  bool Holds(const MDB_val& value) const {
    if (value.mv_size == 0) return true;
    const char* data = static_cast<const char*>(value.mv_data);
    for (const char* begin : begins) {
      if (data >= begin && data <= begin + size && value.mv_size <= size - (data - begin)) {
        return true;
      }
    }
    return false;
  }
};

class LMDBCursor : public Cursor {
 public:
  LMDBCursor(MDB_env* env, const string& source, MappedFile file)
      : source_(source), file_(file) {
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
  void SeekToLast() override { Move(MDB_LAST); }
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
    if (broken_) {
      valid_ = false;
      CAFFE_THROW(DataError, "LMDB ", source_, " is damaged (a read already failed)");
    }
    int fault = 0;
    const int rc = GuardedGet(cursor_, &key_, &value_, op, &fault);
    if (fault) {
      broken_ = true;
      valid_ = false;
      CAFFE_THROW(DataError, "LMDB ", source_, " is damaged ",
                  last_key_.empty() ? string("at the first record")
                                    : "after record '" + last_key_ + "'",
                  ": a page points outside the file (", strsignal(fault), " caught)");
    }
    if (rc == MDB_NOTFOUND) {
      valid_ = false;
      return;
    }
    if (rc != MDB_SUCCESS || !file_.Holds(key_) || !file_.Holds(value_)) {
      valid_ = false;
      const string where = last_key_.empty() ? string("at the first record")
                                             : "after record '" + last_key_ + "'";
      CAFFE_REQUIRE(!IsCorruption(rc), DataError, "LMDB ", source_, " is damaged ", where,
                    ": ", mdb_strerror(rc));
      CheckLMDB(rc, source_, "reading a record");
      CAFFE_THROW(DataError, "LMDB ", source_, " is damaged ", where,
                  ": a record points outside data.mdb (", file_.size, " bytes)");
    }
    valid_ = true;
    last_key_.assign(static_cast<const char*>(key_.mv_data), key_.mv_size);
  }

  string source_;
  MappedFile file_;
  string last_key_;
  bool broken_ = false;
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
    const string data_file = source + "/data.mdb";
    if (mode != NEW) {
      struct stat data_info;
      CAFFE_REQUIRE(stat(data_file.c_str(), &data_info) == 0 && S_ISREG(data_info.st_mode),
                    IOError, "LMDB ", source, " has no data.mdb file: not an LMDB database");
      ValidateMetaPages(source, data_file, static_cast<uint64_t>(data_info.st_size));
    }
    InstallFaultHandler();
    CheckLMDB(mdb_env_create(&env_), source, "creating the environment");
    mdb_env_set_userctx(env_, const_cast<char*>(source_.c_str()));
    mdb_env_set_assert(env_, &ThrowOnAssert);
    const unsigned int flags = mode == READ ? (MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS) : 0;
    try {
      const int rc = mdb_env_open(env_, source.c_str(), flags, 0664);
      // liblmdb says "No such file" (ENOENT) or "Invalid argument" for a
      // data.mdb without valid meta pages.
      CAFFE_REQUIRE(mode == NEW || (rc != ENOENT && rc != EINVAL && rc != MDB_INVALID), DataError,
                    "LMDB ", source, ": data.mdb is not an LMDB data file, or its meta pages "
                    "are damaged (", mdb_strerror(rc), ")");
      CheckLMDB(rc, source, "opening");
    } catch (...) {
      Close();
      throw;
    }
  }
  void Close() override {
    if (env_) mdb_env_close(env_);
    env_ = nullptr;
  }
  Cursor* NewCursor() override {
    CHECK(env_) << "NewCursor on a closed LMDB";
    return new LMDBCursor(env_, source_, FindMapping());
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
  // liblmdb does not say where it mapped data.mdb; the process's map list
  // does (the mapping of the file's inode at file offset 0).
  MappedFile FindMapping() const {
    struct stat data_info;
    CAFFE_REQUIRE(stat((source_ + "/data.mdb").c_str(), &data_info) == 0, IOError, "LMDB ",
                  source_, ": cannot stat data.mdb");
    MappedFile file;
    file.size = static_cast<size_t>(data_info.st_size);
    std::ifstream maps("/proc/self/maps");
    string line;
    while (std::getline(maps, line)) {
      unsigned long long start = 0, end = 0, offset = 0, inode = 0;
      char permissions[8] = {0}, device[32] = {0};
      if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %31s %llu", &start, &end, permissions,
                      &offset, device, &inode) == 6 &&
          inode == static_cast<unsigned long long>(data_info.st_ino) && offset == 0 &&
          line.find("/data.mdb") != string::npos) {
        file.begins.push_back(reinterpret_cast<const char*>(static_cast<uintptr_t>(start)));
      }
    }
    CAFFE_REQUIRE(!file.begins.empty(), IOError, "LMDB ", source_, ": cannot find the mapping of data.mdb");
    return file;
  }

  MDB_env* env_ = nullptr;
  string source_;
};

}  // namespace

DB* NewLMDB() { return new LMDB(); }

}  // namespace db
}  // namespace caffe
