// Writing a database (or any output directory/file) so that the final name
// only ever holds a complete result, shared by the converters and
// extract_features.
//
// A writer works under "<output>.tmp-<pid>" and publishes it with
// PublishOutput(): a plain rename, or, when replacing an existing output, an
// atomic exchange of the two names followed by deleting the old one, so at no
// instant is the final name missing. A run that fails removes its temporary;
// a run that is killed outright (SIGKILL, power loss) leaves one behind, which
// the next run on the same output removes with a notice (PrepareOutput), or
// resumes from (converters' -resume).
//
// InterruptGuard turns SIGINT and SIGTERM into a flag that long loops poll
// (ThrowIfInterrupted), so the loop can unwind, remove its temporary and then
// end the process as the signal would have (RaisePendingSignal).
//
// Thread-safety: the functions touch only the file system; InterruptGuard is
// process-wide (one at a time).
#pragma once

#include <string>
#include <vector>

#include "caffe/common.hpp"

namespace caffe {

// A long operation stopped because the user asked it to (Ctrl-C, SIGTERM).
class InterruptedError : public Error { using Error::Error; };

string TemporaryOutputName(const string& output);

struct OutputPlan {
  // Temporaries of dead runs that were found (and removed unless resumed).
  vector<string> stale;
  // With resume: the dead run's temporary, renamed to this run's temporary
  // name; empty when there was none to resume.
  string resumed_from;
};

// Before writing `output`: refuses (IOError) when it exists and neither
// `overwrite` nor `resume` is set, or when a live process is writing a
// temporary of it; removes temporaries left by dead processes with a
// warning naming each one. With `resume`, the newest dead temporary is kept
// and renamed to TemporaryOutputName(output) instead.
OutputPlan PrepareOutput(const string& output, bool overwrite, bool resume);

// Moves `temporary` to `output`, replacing an existing output atomically
// (exchange, then delete the old one). Throws IOError.
void PublishOutput(const string& temporary, const string& output);

// Removes a file or directory tree; logs (does not throw) on failure.
void RemoveOutputTree(const string& path);

class InterruptGuard {
 public:
  // Installs SIGINT and SIGTERM handlers; the destructor restores the
  // previous ones.
  InterruptGuard();
  ~InterruptGuard();
  DISABLE_COPY_AND_ASSIGN(InterruptGuard);

  // The signal received since construction, or 0.
  static int PendingSignal();
  // Throws InterruptedError when a signal is pending.
  static void ThrowIfInterrupted();
  // Ends the process with the pending signal's default action (so the
  // parent sees "killed by SIGINT"); returns when none is pending.
  static void RaisePendingSignal();
};

}  // namespace caffe
