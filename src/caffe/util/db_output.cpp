#include "caffe/util/db_output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace caffe {

namespace fs = std::filesystem;

namespace {

std::atomic<int> pending_signal(0);
std::atomic<bool> guard_installed(false);
struct sigaction previous_sigint, previous_sigterm;

void RecordSignal(int signal) { pending_signal = signal; }

bool ProcessIsAlive(long pid) {
  return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// The pid of "<output>.tmp-<pid>", or -1 when `name` is not such a name.
long TemporaryPid(const string& name, const string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0 || name.size() == prefix.size()) return -1;
  char* end = nullptr;
  const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
  return *end == '\0' && pid > 0 ? pid : -1;
}

}  // namespace

string TemporaryOutputName(const string& output) {
  return output + ".tmp-" + std::to_string(getpid());
}

void RemoveOutputTree(const string& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) LOG(WARNING) << "could not remove " << path << ": " << error.message();
}

OutputPlan PrepareOutput(const string& output, bool overwrite, bool resume) {
  CAFFE_REQUIRE(!output.empty(), ConfigError, "the output name is empty");
  std::error_code error;
  const bool exists = fs::exists(output, error);
  CAFFE_REQUIRE(!exists || overwrite || resume, IOError, "output database ", output,
                " already exists (pass -overwrite to replace it)");
  const fs::path output_path(output);
  const fs::path directory =
      output_path.has_parent_path() ? output_path.parent_path() : fs::path(".");
  const string prefix = output_path.filename().string() + ".tmp-";
  OutputPlan plan;
  fs::file_time_type newest_time;
  string newest;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const string name = entry.path().filename().string();
    const long pid = TemporaryPid(name, prefix);
    if (pid < 0 || pid == getpid()) continue;
    CAFFE_REQUIRE(!ProcessIsAlive(pid), IOError, "process ", pid, " is writing ",
                  entry.path().string(), " (another run on the same output?); remove it "
                  "if no such run is going on");
    plan.stale.push_back(entry.path().string());
    const fs::file_time_type time = fs::last_write_time(entry.path(), error);
    if (newest.empty() || time > newest_time) {
      newest = entry.path().string();
      newest_time = time;
    }
  }
  const string temporary = TemporaryOutputName(output);
  struct stat info;
  if (lstat(temporary.c_str(), &info) == 0) RemoveOutputTree(temporary);
  for (const string& stale : plan.stale) {
    if (resume && stale == newest) continue;
    LOG(WARNING) << "removing " << stale << ", left behind by an interrupted run";
    RemoveOutputTree(stale);
  }
  if (resume && !newest.empty()) {
    CAFFE_REQUIRE(std::rename(newest.c_str(), temporary.c_str()) == 0, IOError, "cannot rename ",
                  newest, " to ", temporary, ": ", std::strerror(errno));
    plan.resumed_from = newest;
  }
  return plan;
}

void PublishOutput(const string& temporary, const string& output) {
  struct stat info;
  if (lstat(output.c_str(), &info) != 0) {
    CAFFE_REQUIRE(std::rename(temporary.c_str(), output.c_str()) == 0, IOError, "cannot move ",
                  temporary, " to ", output, ": ", std::strerror(errno));
    return;
  }
  // Swap the new result with the old one; the old one then sits under the
  // temporary name and is deleted.
  if (renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, output.c_str(), RENAME_EXCHANGE) == 0) {
    RemoveOutputTree(temporary);
    return;
  }
  CAFFE_REQUIRE(errno == EINVAL || errno == ENOSYS, IOError, "cannot replace ", output, " by ",
                temporary, ": ", std::strerror(errno));
  // A file system without exchange: move the old output aside first, so
  // that only the instant between two renames lacks the final name.
  LOG(WARNING) << "the file system of " << output
               << " cannot exchange names atomically; replacing it with two renames";
  const string old = output + ".old-" + std::to_string(getpid());
  CAFFE_REQUIRE(std::rename(output.c_str(), old.c_str()) == 0, IOError, "cannot move ", output,
                " aside: ", std::strerror(errno));
  if (std::rename(temporary.c_str(), output.c_str()) != 0) {
    const int saved = errno;
    std::rename(old.c_str(), output.c_str());
    CAFFE_THROW(IOError, "cannot move ", temporary, " to ", output, ": ", std::strerror(saved));
  }
  RemoveOutputTree(old);
}

InterruptGuard::InterruptGuard() {
  CHECK(!guard_installed.exchange(true)) << "only one InterruptGuard may exist at a time";
  pending_signal = 0;
  struct sigaction action = {};
  action.sa_handler = &RecordSignal;
  action.sa_flags = SA_RESTART;
  sigfillset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_sigint);
  sigaction(SIGTERM, &action, &previous_sigterm);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_sigint, nullptr);
  sigaction(SIGTERM, &previous_sigterm, nullptr);
  guard_installed = false;
}

int InterruptGuard::PendingSignal() { return pending_signal.load(); }

void InterruptGuard::ThrowIfInterrupted() {
  const int signal = pending_signal.load();
  if (signal) CAFFE_THROW(InterruptedError, "interrupted by ", strsignal(signal));
}

void InterruptGuard::RaisePendingSignal() {
  const int signal = pending_signal.load();
  if (!signal) return;
  std::signal(signal, SIG_DFL);
  raise(signal);
}

}  // namespace caffe
