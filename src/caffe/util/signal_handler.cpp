#include "caffe/util/signal_handler.hpp"

#include <signal.h>

#include <atomic>

namespace caffe {

namespace {

std::atomic<bool> got_sigint(false);
std::atomic<bool> got_sighup(false);
std::atomic<bool> handler_installed(false);
struct sigaction previous_sigint, previous_sighup;

void RecordSignal(int signal) {
  if (signal == SIGINT) got_sigint = true;
  if (signal == SIGHUP) got_sighup = true;
}

}  // namespace

SignalHandler::SignalHandler(SolverAction::Enum sigint_effect, SolverAction::Enum sighup_effect)
    : sigint_effect_(sigint_effect), sighup_effect_(sighup_effect) {
  CHECK(!handler_installed.exchange(true)) << "only one SignalHandler may exist at a time";
  got_sigint = false;
  got_sighup = false;
  struct sigaction action = {};
  action.sa_handler = &RecordSignal;
  action.sa_flags = SA_RESTART;
  sigfillset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_sigint);
  sigaction(SIGHUP, &action, &previous_sighup);
}

SignalHandler::~SignalHandler() {
  sigaction(SIGINT, &previous_sigint, nullptr);
  sigaction(SIGHUP, &previous_sighup, nullptr);
  handler_installed = false;
}

SolverAction::Enum SignalHandler::CheckForSignals() const {
  if (got_sighup.exchange(false)) return sighup_effect_;
  if (got_sigint.exchange(false)) return sigint_effect_;
  return SolverAction::NONE;
}

ActionCallback SignalHandler::GetActionFunction() {
  return [this]() { return CheckForSignals(); };
}

SolverAction::Enum SignalHandler::ParseEffect(const string& name) {
  if (name == "stop") return SolverAction::STOP;
  if (name == "snapshot") return SolverAction::SNAPSHOT;
  if (name == "none") return SolverAction::NONE;
  CAFFE_THROW(ConfigError, "invalid signal effect '", name, "' (use stop, snapshot or none)");
}

}  // namespace caffe
