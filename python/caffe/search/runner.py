"""The search command's main process: prepares the plan, creates or resumes
the study, starts the worker processes (one BLAS thread each), shows the
progress, keeps the records and plots current, and at the end exports the
best policy and prints the final report.

The main process trains nothing itself; if it is killed, its workers get
SIGTERM (Linux parent-death signal), return their trials to the queue and
stop, so re-running the same command continues where it stopped.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

from ..errors import CaffeError, ConfigError, DataError, IOError as CaffeIOError, ParseError
from . import plan as plan_module
from . import records, report as report_module, spaces
from .export import export
from .study import BASELINE, FAIL_REASON, counts, create_or_resume, open_storage

POLL = 1.0
PR_SET_PDEATHSIG = 1


class SearchResult:
    """What a finished search returns: the best trial (number, reward,
    policy text), the exported files, the report text (or None) and the
    output folder."""

    def __init__(self, out, best_number, best_value, best_policy, exported, report_text):
        self.out = out
        self.best_number = best_number
        self.best_value = best_value
        self.best_policy = best_policy
        self.exported = exported
        self.report_text = report_text

    def __repr__(self):
        return '<SearchResult best trial %d, reward %.4f, %s>' % (
            self.best_number, self.best_value, self.out)


def _die_with_parent():
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _package_parent():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def worker_env(quiet=False):
    env = dict(os.environ)
    for name in ('CAFFE_BLAS_THREADS', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',
                 'MKL_NUM_THREADS'):
        env[name] = '1'
    if quiet:
        env['GLOG_minloglevel'] = '2'
    else:
        env.setdefault('GLOG_minloglevel', '1')
    paths = [_package_parent()] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]
    env['PYTHONPATH'] = os.pathsep.join(dict.fromkeys(paths))
    return env


def spawn(plan_path, index, log_path):
    log = open(log_path, 'a')
    try:
        return subprocess.Popen([sys.executable, '-m', 'caffe.search.worker', plan_path,
                                 str(index)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=worker_env(),
                                preexec_fn=_die_with_parent)
    finally:
        log.close()


def run_worker_command(plan_path, mode):
    """Runs `python -m caffe.search.worker PLAN mode` to completion and
    returns the JSON it prints; its error becomes this process' exception."""
    result = subprocess.run([sys.executable, '-m', 'caffe.search.worker', plan_path, mode],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=worker_env(quiet=True))
    if result.returncode != 0:
        raise _worker_error('worker %s' % mode, result.stdout + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _save_plan(plan, path):
    tmp = path + '.tmp-%d' % os.getpid()
    with open(tmp, 'w') as handle:
        json.dump(plan, handle, sort_keys=True, indent=1)
    os.replace(tmp, path)


def _check(plan, plan_path):
    """Builds the child net once in a worker process (see plan.check_child)."""
    _save_plan(plan, plan_path)
    plan['template'], plan['score_in_train'] = run_worker_command(plan_path, 'check')
    if not plan['score_in_train'] and plan['reward'] == 'deepaugment':
        raise ConfigError('the deepaugment reward compares training and validation scores, but '
                          'blob %r exists only in the TEST phase; use --reward last_k'
                          % plan['score'])
    _save_plan(plan, plan_path)


def rerun_trial(out, number):
    """Trains search trial `number` of the study in folder `out` again, in a
    worker process like the search's, and returns its histories (one list of
    epoch dicts per sample) to compare with the stored ones."""
    return run_worker_command(os.path.join(os.path.abspath(out), 'work', 'plan.json'),
                              'rerun:%d' % number)


def _tail(path, lines=12):
    try:
        with open(path) as handle:
            return ''.join(handle.readlines()[-lines:])
    except OSError:
        return ''


_ERRORS = {cls.__name__: cls for cls in (ConfigError, DataError, CaffeIOError, ParseError)}


def _worker_error(log_path, text=None):
    """The exception a worker reported (its last 'worker N: error:' line)."""
    text = _tail(log_path, 40) if text is None else text
    message = 'a worker failed; its output (%s) ends with:\n%s' % (log_path, text)
    for line in reversed(text.splitlines()):
        if ': error: ' in line:
            message = line.split(': error: ', 1)[1]
            break
    for line in reversed(text.splitlines()):
        name = line.split(':', 1)[0].rsplit('.', 1)[-1]
        if name in _ERRORS:
            return _ERRORS[name](message)
    return CaffeError(message)


def _fmt_time(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return '%d:%02d:%02d' % (seconds // 3600, seconds // 60 % 60, seconds % 60)
    return '%d:%02d' % (seconds // 60, seconds % 60)


class Progress:
    """Prints a line for each trial that finishes, with the best so far and
    an estimate of the time left."""

    def __init__(self, stream, total, workers, label, quiet=False):
        self.stream = stream
        self.total = total
        self.workers = workers
        self.label = label
        self.quiet = quiet
        self.seen = set()
        self.started = time.time()
        self.durations = []

    def _say(self, text):
        if not self.quiet:
            self.stream.write(text + '\n')
            self.stream.flush()

    def update(self, study, describe):
        """Reports newly finished trials; True when something changed."""
        from optuna.trial import TrialState
        trials = study.get_trials(deepcopy=False)
        finished = [t for t in trials if t.state.is_finished() and t.number not in self.seen]
        if not finished:
            return False
        done_states = (TrialState.COMPLETE, TrialState.PRUNED)
        for trial in sorted(finished, key=lambda t: t.number):
            self.seen.add(trial.number)
            if trial.state in done_states and trial.datetime_complete and trial.datetime_start:
                self.durations.append((trial.datetime_complete -
                                       trial.datetime_start).total_seconds())
            done = sum(1 for t in trials if t.state in done_states)
            running = sum(1 for t in trials if t.state == TrialState.RUNNING)
            remaining = max(0, self.total - done)
            eta = ''
            if self.durations and remaining:
                mean = sum(self.durations) / len(self.durations)
                eta = ', ETA %s' % _fmt_time(mean * remaining / max(1, self.workers))
            self._say('[%s %d/%d] %s | %d running, %s elapsed%s'
                      % (self.label, done, self.total, describe(study, trial), running,
                         _fmt_time(time.time() - self.started), eta))
        return True


def _describe_trial(study, trial):
    from optuna.trial import TrialState
    name = trial.user_attrs.get(BASELINE, '')
    what = 'trial %d%s' % (trial.number, ' (%s)' % name if name else '')
    if trial.state == TrialState.COMPLETE:
        text = '%s: reward %.2f' % (what, 100 * trial.value)
    elif trial.state == TrialState.PRUNED:
        text = '%s: pruned at epoch %d' % (what, len(trial.intermediate_values))
    else:
        text = '%s: %s (%s)' % (what, trial.state.name, trial.user_attrs.get(FAIL_REASON, ''))
    try:
        best = study.best_trial
        text += ' | best %.2f (trial %d)' % (100 * best.value, best.number)
    except ValueError:
        pass
    return text


def _describe_report_run(study, trial):
    from optuna.trial import TrialState
    what = '%s, seed %d' % (trial.user_attrs.get('report:title'),
                            trial.user_attrs.get('report:seed', -1))
    if trial.state == TrialState.COMPLETE:
        return '%s: test %.2f' % (what, 100 * trial.value)
    return '%s: %s (%s)' % (what, trial.state.name, trial.user_attrs.get(FAIL_REASON, ''))


def _header(plan, created, study, stream):
    train, val, test = plan['train'], plan['val'], plan['test']
    kind = ('triplets of %s' if train['kind'] == 'triplet' else 'images of %s') % \
        'x'.join(map(str, train['shape']))
    classes = ', %d classes' % train['classes'] if train['kind'] == 'datum' else ''
    state = counts(study)
    done = state.get('COMPLETE', 0) + state.get('PRUNED', 0)
    lines = [
        'caffe.search: %s study %r in %s' % ('new' if created else 'resuming',
                                             plan['study_name'], plan['storage'])
        + ('' if created else ' (%d of %d trials done)' % (done, plan['trials'])),
        '  data: train %d, val %d, test %s records (%s%s)' % (
            train['records'], val['records'], test['records'] if test else 'none', kind, classes),
        '  child: %s, %d epochs x %d iterations (batch %d), %d sample(s) per trial%s' % (
            os.path.basename(plan['net_name']), plan['epochs'], plan['iters_per_epoch'],
            plan['batch'], plan['samples'],
            ', from %d pretrained epochs' % plan['pretrain_epochs']
            if plan['pretrain_epochs'] else ''),
        '  space: %s%s; sampler %s (seed %d); reward %s; pruner %s; %d trials (%d warm start)'
        % (os.path.basename(plan['space']),
           ' (%d ops)' % len(plan['ops']) if plan['ops'] else '', plan['sampler'],
           plan['seed'], plan['reward'], plan['pruner'], plan['trials'], len(plan['warm'])),
        '  workers: %d local process(es), 1 BLAS thread each; output %s' % (
            plan['workers'], plan['out']),
    ]
    if '://' not in plan['storage']:
        lines.append('  dashboard: optuna-dashboard %s' % plan['storage'])
    stream.write('\n'.join(lines) + '\n')
    stream.flush()


def _write_outputs(plan, study, final):
    """The CSV records and history.png after every trial; with `final`
    also importance.png and preview.png."""
    from optuna.trial import TrialState
    from . import data, plots
    out = plan['out']
    space_name = spaces.make_space(plan['space'], plan['ops']).name
    records.write_records(study, space_name, out)
    if any(t.state in (TrialState.COMPLETE, TrialState.PRUNED)
           for t in study.get_trials(deepcopy=False)):
        plots.plot_history(study, os.path.join(out, 'history.png'))
    if not final:
        return
    plots.plot_importance(study, os.path.join(out, 'importance.png'))
    try:
        best = study.best_trial
    except ValueError:
        return
    images = data.read_images(plan['train']['path'], 6, plan['train']['backend'])
    plots.plot_preview(spaces.parse_policy(best.user_attrs['policy']), images,
                       os.path.join(out, 'preview.png'))


def _run_workers(plan, plan_path, stream, study, report_name, storage):
    import optuna
    out = plan['out']
    logs = os.path.join(out, 'logs')
    os.makedirs(logs, exist_ok=True)
    processes = []
    for index in range(plan['workers']):
        log_path = os.path.join(logs, 'worker-%d.log' % index)
        processes.append((spawn(plan_path, index, log_path), log_path))
    search_progress = Progress(stream, plan['trials'], plan['workers'], 'trial', plan['quiet'])
    report_progress = None
    failure = None
    try:
        while True:
            alive = [p for p, _ in processes if p.poll() is None]
            if search_progress.update(study, _describe_trial):
                _write_outputs(plan, study, final=False)
            if plan['report']['seeds']:
                if report_progress is None:
                    try:
                        report = optuna.load_study(study_name=report_name, storage=storage)
                        total = plan['report']['seeds'] * (len(spaces.BASELINES) + 1 + len(
                            plan['report']['policies']))
                        report_progress = Progress(stream, total, plan['workers'], 'report',
                                                   plan['quiet'])
                    except KeyError:
                        report = None
                if report_progress is not None:
                    report_progress.update(report, _describe_report_run)
            for process, log_path in processes:
                if process.poll() not in (None, 0) and failure is None:
                    failure = _worker_error(log_path)
                    for other, _ in processes:
                        if other.poll() is None:
                            other.terminate()
            if not alive:
                break
            time.sleep(POLL)
    except KeyboardInterrupt:
        for process, _ in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process, _ in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        _write_outputs(plan, study, final=False)
        raise
    if failure is not None:
        _write_outputs(plan, study, final=False)
        raise failure


def best_trial_of(study):
    try:
        return study.best_trial
    except ValueError:
        raise ConfigError('no trial of study %r finished without being pruned, so there is no '
                          'best policy; run more trials, or use --pruner none'
                          % study.study_name) from None


def run(config, stream=None):
    """Runs (or resumes) the search described by `config` (a SearchConfig)
    and returns a SearchResult. Errors are caffe exceptions (ConfigError,
    DataError, IOError, ParseError) with a message that names the culprit."""
    import optuna
    stream = stream or sys.stdout
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plan = plan_module.prepare(config)
    out = plan['out']
    work = os.path.join(out, 'work')
    os.makedirs(work, exist_ok=True)
    plan_path = os.path.join(work, 'plan.json')
    storage = open_storage(plan['storage'])
    _check(plan, plan_path)
    study, created = create_or_resume(storage, plan['study_name'], plan['settings'],
                                      plan_module.slots(plan))
    _header(plan, created, study, stream)
    if plan['pretrain_weights'] and not os.path.exists(plan['pretrain_weights']):
        stream.write('pretraining %d epochs without augmentation...\n' % plan['pretrain_epochs'])
        stream.flush()
        log_path = os.path.join(out, 'logs', 'pretrain.log')
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        process = spawn(plan_path, 'pretrain', log_path)
        if process.wait() != 0:
            raise _worker_error(log_path)
    _run_workers(plan, plan_path, stream, study, plan['report_study_name'], storage)

    _write_outputs(plan, study, final=True)
    best = best_trial_of(study)
    exported = export(plan, best.user_attrs['policy'], os.path.join(out, 'export'))
    stream.write('best: trial %d, reward %.2f%s\n  %s\nexported: %s\n' % (
        best.number, 100 * best.value,
        ' (%s)' % best.user_attrs[BASELINE] if best.user_attrs.get(BASELINE) else '',
        records.one_line(best.user_attrs['policy']), exported['solver']))
    report_text = None
    if plan['report']['seeds']:
        report_study = optuna.load_study(study_name=plan['report_study_name'], storage=storage)
        report_text = report_module.write_report(report_study, out, plan['test']['records'],
                                                 plan['report']['seeds'])
        stream.write('\n' + report_text + '\n')
    stream.flush()
    return SearchResult(out, best.number, best.value, best.user_attrs['policy'], exported,
                        report_text)
