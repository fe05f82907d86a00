"""The study in Optuna storage: creation with its settings and its budget of
trial slots, resuming, claiming trials, heartbeats and recovery.

Budget. The study is created with exactly `trials` WAITING trials (the warm
start first, then empty slots the sampler fills). Workers only ever take
WAITING trials (an atomic WAITING -> RUNNING change in every Optuna storage),
never create new ones, so N workers on any number of machines run exactly
the budget. Each trial carries its slot number ('search:slot').

Liveness. A worker records who runs a trial (host, boot id, pid and the
process' start time) and refreshes a heartbeat timestamp every
`heartbeat_interval` seconds. A RUNNING trial is dead when its process is
gone (same machine: checked at once) or its heartbeat is older than
`heartbeat_grace` (other machines; their clocks must agree). Whoever first
marks a dead trial FAIL (again atomic) enqueues a retry of its slot with
the same parameters. A slot left with only FAIL trials for 10 s (its
recoverer died in between) is re-enqueued too, and if that ever races, the
retry that finds its slot already done or running under a lower trial number
steps aside (FAIL, reason 'duplicate'): no slot runs twice, none is lost.
"""
import datetime
import fcntl
import json
import os
import socket
import sys
import threading
import time

import optuna
from optuna.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from optuna.trial import TrialState

from ..errors import ConfigError, IOError as CaffeIOError

SLOT = 'search:slot'
FIXED_POLICY = 'search:fixed_policy'
BASELINE = 'search:baseline'
FAIL_REASON = 'search:fail_reason'
SETTINGS = 'search:settings'
READY = 'search:ready'
OWNER = 'search:owner'
HEARTBEAT = 'search:heartbeat'
FAILED_AT = 'search:failed_at'
READY_TIMEOUT = 120.0
SCHEMA_ATTEMPTS = 6
ORPHAN_AGE = 10.0


def mask_url(url):
    """The URL with its password replaced by ***."""
    if '://' not in url or '@' not in url.split('://', 1)[1]:
        return url
    scheme, rest = url.split('://', 1)
    credentials, host = rest.rsplit('@', 1)
    if ':' in credentials:
        credentials = credentials.split(':', 1)[0] + ':***'
    return '%s://%s@%s' % (scheme, credentials, host)


def open_storage(location):
    """Optuna storage: a database URL (sqlite:///..., postgresql://...) or
    the path of a journal file (created if missing). IOError names an
    unreachable database."""
    if '://' in location:
        for attempt in range(SCHEMA_ATTEMPTS):
            try:
                return optuna.storages.RDBStorage(location, engine_kwargs={'pool_pre_ping': True})
            except Exception as error:  # noqa: BLE001 - SQLAlchemy/driver errors of every kind
                reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                # Workers starting together on an empty database race to
                # create Optuna's tables; the losers find them made: retry.
                if attempt + 1 < SCHEMA_ATTEMPTS and any(
                        marker in reason for marker in ('already exists', 'duplicate key',
                                                        'UniqueViolation')):
                    time.sleep(0.5 * (attempt + 1))
                    continue
                raise CaffeIOError('cannot reach the study storage %s: %s'
                                   % (mask_url(location), reason)) from None
    directory = os.path.dirname(os.path.abspath(location))
    os.makedirs(directory, exist_ok=True)
    backend = optuna.storages.journal.JournalFileBackend(location,
                                                         lock_obj=JournalFlock(location))
    return optuna.storages.JournalStorage(backend)


class JournalFlock:
    """The journal file's write lock as a kernel file lock (flock) on
    <journal>.lock: the kernel releases it when its holder dies, so a worker
    killed while writing (kill -9 included) never leaves the journal locked.
    Optuna's own file locks wait out a 30 s grace period instead. Every
    process that writes a journal must use the same kind of lock; readers
    (optuna-dashboard) take none. Within a process the journal storage
    already serialises its writers."""

    def __init__(self, journal_path):
        self._path = journal_path + '.lock'
        self._fd = None

    def acquire(self):
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd
        return True

    def release(self):
        fd, self._fd = self._fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def settings_differences(stored, current):
    """Lines naming each setting that differs: 'epochs: study 10, now 12'."""
    lines = []
    for key in sorted(set(stored) | set(current)):
        if stored.get(key) != current.get(key):
            lines.append('%s: the study has %s, this run has %s'
                         % (key, json.dumps(stored.get(key), sort_keys=True),
                            json.dumps(current.get(key), sort_keys=True)))
    return lines


def create_or_resume(storage, name, settings, slots, quiet=True):
    """The study `name`, created with `settings` and the WAITING `slots`
    (a list of (params, user_attrs)) if it does not exist, else checked
    against `settings`. Returns (study, created)."""
    normalized = json.loads(json.dumps(settings, sort_keys=True))
    try:
        optuna.create_study(storage=storage, study_name=name, direction='maximize')
        created = True
    except DuplicatedStudyError:
        created = False
    study = optuna.load_study(study_name=name, storage=storage)
    if created:
        study.set_user_attr(SETTINGS, normalized)
        for slot, (params, attrs) in enumerate(slots):
            user_attrs = dict(attrs)
            user_attrs[SLOT] = slot
            study.enqueue_trial(dict(params or {}), user_attrs=user_attrs)
        study.set_user_attr(READY, True)
        return study, True
    deadline = time.time() + READY_TIMEOUT
    while not study.user_attrs.get(READY):
        if SETTINGS not in study.user_attrs and study.get_trials(deepcopy=False):
            raise ConfigError('study %r in this storage was not made by caffe.search; choose '
                              'another study name' % name)
        if time.time() > deadline:
            raise ConfigError('study %r was never completely created (its creator stopped '
                              'while enqueuing trials); delete it or choose another study '
                              'name' % name)
        time.sleep(0.5)
    differences = settings_differences(study.user_attrs[SETTINGS], normalized)
    if differences:
        raise ConfigError('study %r was created with other settings; run with the same '
                          'settings to resume it, or choose another study name or output '
                          'folder:\n  %s' % (name, '\n  '.join(differences)))
    return study, False


# ------------------------------------------------------------- liveness ---

def _boot_id():
    try:
        with open('/proc/sys/kernel/random/boot_id') as handle:
            return handle.read().strip()
    except OSError:
        return ''


def _process_start(pid):
    """The start time of process `pid` (clock ticks since boot), or None
    when no such process exists."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def this_process():
    return {'host': socket.gethostname(), 'boot': _boot_id(), 'pid': os.getpid(),
            'start': _process_start(os.getpid())}


def _owner_alive(owner):
    """True/False for a process of this machine, None for other machines."""
    if owner.get('host') != socket.gethostname() or owner.get('boot') != _boot_id():
        return None
    return _process_start(int(owner['pid'])) == owner.get('start')


def _age(trial):
    start = trial.datetime_start or datetime.datetime.now()
    return (datetime.datetime.now() - start).total_seconds()


def dead_reason(trial, grace):
    """Why a RUNNING trial's worker is gone, or None while it lives."""
    owner = trial.system_attrs.get(OWNER)
    if owner is None:
        # Claimed, but the owner never said who it is: give it the grace.
        return 'claimed but never started' if _age(trial) > grace else None
    alive = _owner_alive(owner)
    if alive is False:
        return 'worker process %d on %s is gone' % (owner['pid'], owner['host'])
    if alive is None:
        beat = trial.system_attrs.get(HEARTBEAT)
        if beat is None or time.time() - float(beat) > grace:
            return 'no heartbeat from process %d on %s for %.0f s' % (
                owner['pid'], owner['host'], grace)
    return None


def _retry(study, trial):
    attrs = {key: value for key, value in trial.user_attrs.items()
             if key in (SLOT, FIXED_POLICY, BASELINE) or key.startswith('report:')}
    study.enqueue_trial(dict(trial.params), user_attrs=attrs)


def fail_and_retry(study, trial, reason):
    """Marks a RUNNING trial FAIL (unless someone else already finished it)
    and enqueues its slot again. Returns True when this call did it."""
    storage = study._storage
    try:
        storage.set_trial_user_attr(trial._trial_id, FAIL_REASON, reason)
        storage.set_trial_system_attr(trial._trial_id, FAILED_AT, time.time())
        if not storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
            return False
    except UpdateFinishedTrialError:
        return False
    _retry(study, trial)
    return True


def _failed_seconds_ago(trial):
    if FAILED_AT in trial.system_attrs:  # a Unix time: the same on every machine
        return time.time() - float(trial.system_attrs[FAILED_AT])
    end = trial.datetime_complete or trial.datetime_start or datetime.datetime.now()
    return (datetime.datetime.now() - end).total_seconds()


def recover(study, grace):
    """Fails the RUNNING trials whose workers are gone and re-enqueues their
    slots; re-enqueues slots that only have FAIL trials, once the last one
    failed ORPHAN_AGE seconds ago (whoever failed it re-enqueues it within
    milliseconds unless it died in between; waiting keeps two workers from
    both re-enqueueing a slot that was just failed). Returns the number of
    slots that only have a younger FAIL trial: callers wait for those."""
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        reason = dead_reason(trial, grace)
        if reason:
            fail_and_retry(study, trial, reason)
    by_slot = {}
    for trial in study.get_trials(deepcopy=False):
        if SLOT in trial.user_attrs:
            by_slot.setdefault(trial.user_attrs[SLOT], []).append(trial)
    young = 0
    for trials in by_slot.values():
        if all(t.state == TrialState.FAIL for t in trials):
            last = max(trials, key=lambda t: t.number)
            if _failed_seconds_ago(last) >= ORPHAN_AGE:
                _retry(study, last)
            else:
                young += 1
    return young


def duplicate_of(study, trial):
    """Another trial of the same slot that is done, or running under a lower
    number; None when `trial` is the one to run."""
    slot = trial.user_attrs.get(SLOT)
    for other in study.get_trials(deepcopy=False):
        if other.number == trial.number or other.user_attrs.get(SLOT) != slot:
            continue
        if other.state in (TrialState.COMPLETE, TrialState.PRUNED):
            return other
        if other.state == TrialState.RUNNING and other.number < trial.number:
            return other
    return None


def claim(study):
    """Takes one WAITING trial (atomically, in trial-id order) and returns
    its FrozenTrial, or None when none is waiting."""
    storage = study._storage
    waiting = storage.get_all_trials(study._study_id, deepcopy=False,
                                     states=(TrialState.WAITING,))
    for trial in waiting:
        try:
            if storage.set_trial_state_values(trial._trial_id, state=TrialState.RUNNING):
                storage.set_trial_system_attr(trial._trial_id, OWNER, this_process())
                storage.set_trial_system_attr(trial._trial_id, HEARTBEAT, time.time())
                return storage.get_trial(trial._trial_id)
        except UpdateFinishedTrialError:
            continue
    return None


class Heartbeat:
    """Refreshes a trial's heartbeat from a thread while the block runs."""

    def __init__(self, storage, trial_id, interval):
        self._storage = storage
        self._trial_id = trial_id
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(self._interval):
            try:
                self._storage.set_trial_system_attr(self._trial_id, HEARTBEAT, time.time())
            except UpdateFinishedTrialError:
                return  # finished, or failed by another worker that thought it dead
            except Exception as error:  # noqa: BLE001 - a storage hiccup: beat again later
                sys.stderr.write('heartbeat of trial id %d failed: %s\n'
                                 % (self._trial_id, error))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def counts(study):
    """{state name: count} over the study's trials."""
    result = {}
    for trial in study.get_trials(deepcopy=False):
        result[trial.state.name] = result.get(trial.state.name, 0) + 1
    return result
