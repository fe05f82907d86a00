"""Process-wide settings of upstream pycaffe's top-level API that this
CPU-only engine answers itself: GPU and device selection (accepted with a
warning, the work stays on the CPU), multi-GPU solver bookkeeping, NCCL
(absent), glog set-up and the Timer.
"""
import time
import warnings

from . import _caffe
from .errors import ConfigError

_gpu_warned = False


def _warn_cpu_only(what):
    global _gpu_warned
    if not _gpu_warned:
        _gpu_warned = True
        warnings.warn('%s: this build of caffe is CPU-only; continuing on the CPU' % what,
                      RuntimeWarning, stacklevel=3)


def set_mode_gpu():
    """Upstream scripts call this unconditionally: it warns once that this
    build is CPU-only and keeps computing on the CPU."""
    _warn_cpu_only('caffe.set_mode_gpu()')
    _caffe.set_mode_cpu()


def set_device(device_id):
    """Device 0 is the CPU; other ids warn once (CPU-only build) and are
    otherwise ignored. Negative ids raise ConfigError."""
    device_id = int(device_id)
    if device_id < 0:
        raise ConfigError('device id must be >= 0, got %d' % device_id)
    if device_id != 0:
        _warn_cpu_only('caffe.set_device(%d)' % device_id)
        return
    _caffe._set_device(0)


def has_nccl():
    """False: this build has no NCCL (multi-GPU) support."""
    return False


# Upstream's multi-GPU training runs one solver per GPU and tells Python
# layers which one they belong to (solver_rank of solver_count), so data
# layers can read disjoint parts of the data. Here training runs one solver
# unless the caller sets these, e.g. when splitting data across processes.
_solver_count = 1
_solver_rank = 0
_multiprocess = False


def solver_count():
    return _solver_count


def set_solver_count(count):
    global _solver_count
    if int(count) < 1:
        raise ConfigError('solver_count must be >= 1, got %r' % (count,))
    _solver_count = int(count)


def solver_rank():
    return _solver_rank


def set_solver_rank(rank):
    global _solver_rank
    if int(rank) < 0:
        raise ConfigError('solver_rank must be >= 0, got %r' % (rank,))
    _solver_rank = int(rank)


def set_multiprocess(value):
    """Records whether solvers run in separate processes (upstream's flag
    for Python data layers); nothing else depends on it here."""
    global _multiprocess
    _multiprocess = bool(value)


def multiprocess():
    return _multiprocess


def init_log(level=0, stderr=False):
    """Starts glog as upstream's caffe.init_log: messages below `level`
    (0 INFO, 1 WARNING, 2 ERROR, 3 FATAL) are dropped; with stderr=True they
    go to standard error instead of glog's log files. May be called again
    to change the level."""
    if int(level) not in (0, 1, 2, 3):
        raise ConfigError('log level must be 0 (INFO) to 3 (FATAL), got %r' % (level,))
    _caffe._init_log(int(level), bool(stderr))


class Timer:
    """Wall-clock stopwatch as upstream's caffe.Timer: start(), stop(), and
    `ms`, the milliseconds from start() to stop() (or to now while running)."""

    def __init__(self):
        self._start = None
        self._stop = None

    def start(self):
        self._start = time.perf_counter()
        self._stop = None

    def stop(self):
        if self._start is not None and self._stop is None:
            self._stop = time.perf_counter()

    @property
    def ms(self):
        if self._start is None:
            return 0.0
        end = self._stop if self._stop is not None else time.perf_counter()
        return (end - self._start) * 1000.0

    @property
    def seconds(self):
        return self.ms / 1000.0
