// Turns SIGINT/SIGHUP into solver actions (stop, snapshot, or nothing), as
// the `caffe train` flags -sigint_effect/-sighup_effect request. Installing
// the handler replaces the process's handlers for both signals until the
// object is destroyed; only one may exist at a time.
#pragma once

#include "caffe/solver.hpp"

namespace caffe {

class SignalHandler {
 public:
  SignalHandler(SolverAction::Enum sigint_effect, SolverAction::Enum sighup_effect);
  ~SignalHandler();
  DISABLE_COPY_AND_ASSIGN(SignalHandler);
  // The callback to give Solver::SetActionFunction.
  ActionCallback GetActionFunction();

  // "stop" | "snapshot" | "none"; throws ConfigError otherwise.
  static SolverAction::Enum ParseEffect(const string& name);

 private:
  SolverAction::Enum CheckForSignals() const;
  SolverAction::Enum sigint_effect_;
  SolverAction::Enum sighup_effect_;
};

}  // namespace caffe
