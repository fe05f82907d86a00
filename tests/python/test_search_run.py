"""caffe.search end to end, with real child trainings on tiny data: the
command's outputs (records, plots, export, final report), the exported
solver under `caffe train`, resuming, refusing changed settings, seeded
repetition, re-running one trial, kill -9 and resume, triplet children and
the user's own prototxt, DeepAugment's interface, and errors for bad input."""
import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import optuna  # noqa: E402 - the [search] extra, installed by run_python_tests.sh

import caffe  # noqa: E402
from caffe import search  # noqa: E402
from caffe.search import study as study_module  # noqa: E402
from optuna.trial import TrialState  # noqa: E402

from _search_data import shapes  # noqa: E402

TIMEOUT = 300


@pytest.fixture
def arrays(tmp_path):
    images, labels = shapes(90)
    np.save(tmp_path / 'x.npy', images)
    np.save(tmp_path / 'y.npy', labels)
    return str(tmp_path / 'x.npy'), str(tmp_path / 'y.npy')


def command(arrays, out, *extra):
    return ['--images', arrays[0], '--labels', arrays[1], '--split', '30,30', '--out', str(out),
            '--batch-size', '10', '--epochs', '2', '--startup-trials', '2'] + list(extra)


def env():
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(caffe.__file__))]
        + [p for p in environ.get('PYTHONPATH', '').split(os.pathsep) if p])
    return environ


def run_cli(args, **kwargs):
    return subprocess.run([sys.executable, '-m', 'caffe.search'] + args, env=env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=TIMEOUT, **kwargs)


def load(out, name='caffe-search'):
    storage = study_module.open_storage(os.path.join(str(out), 'study.journal'))
    return optuna.load_study(study_name=name, storage=storage)


def finished_slots(study):
    done = [t for t in study.get_trials(deepcopy=False)
            if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    return sorted(t.user_attrs[study_module.SLOT] for t in done)


def test_search_command_end_to_end(tmp_path, arrays, caffe_tool):
    out = tmp_path / 'out'
    args = command(arrays, out, '--space', 'randaugment', '--trials', '5', '--workers', '2',
                   '--report-seeds', '2', '--ops', ','.join(search.PUBLISHED_OPS))
    result = run_cli(args)
    assert result.returncode == 0, result.stderr
    assert "new study 'caffe-search'" in result.stdout
    assert '[trial 5/5]' in result.stdout and '[report 8/8]' in result.stdout
    search_study = load(out)
    assert finished_slots(search_study) == [0, 1, 2, 3, 4]
    assert len(search_study.trials) == 5
    warm = [t.user_attrs.get(study_module.BASELINE) for t in search_study.trials[:3]]
    assert warm == ['none', 'trivialaugment', 'randaugment_2_9']
    # RandAugment(2, 9) is in the randaugment space over the published ops:
    # it informs the sampler through its parameters.
    assert search_study.trials[2].params == {'num_ops': 2, 'magnitude': 9}

    with open(out / 'notebook.csv') as handle:
        rows = list(csv.DictReader(handle))
    epochs = sum(len(h) for t in search_study.trials for h in t.user_attrs['history'])
    assert len(rows) == epochs
    assert list(rows[0])[:5] == ['acc', 'loss', 'val_acc', 'val_loss', 'trial_no']
    assert {'num_ops', 'magnitude', 'sample_no', 'mean_late_val_acc', 'epoch'} <= set(rows[0])
    with open(out / 'top_policies.csv') as handle:
        top = list(csv.DictReader(handle))
    assert 'expected_accuracy_increase(%)' in top[0]
    values = [float(row['mean_late_val_acc']) for row in top]
    assert values == sorted(values, reverse=True)
    for name in ('history.png', 'preview.png'):
        assert (out / name).stat().st_size > 1000

    report_text = (out / 'report.txt').read_text()
    for title in ('best (trial', 'no augmentation', 'TrivialAugment', 'RandAugment(2, 9)'):
        assert title in report_text
    assert 'vs TrivialAugment' in report_text and '+-' in report_text
    assert report_text.strip() in result.stdout
    with open(out / 'report.csv') as handle:
        assert len(list(csv.DictReader(handle))) == 8  # 4 candidates x 2 seeds

    # The export trains with `caffe train`, unchanged.
    exported = out / 'export'
    assert 'augmentation_param {' in (exported / 'best_policy.prototxt').read_text()
    trained = caffe_tool('train', '-solver', str(exported / 'best_solver.prototxt'),
                         cwd=str(tmp_path))
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert 'Optimization Done' in trained.stderr + trained.stdout

    # The same command again resumes: nothing new runs.
    again = run_cli(args)
    assert again.returncode == 0, again.stderr
    assert 'resuming study' in again.stdout and '(5 of 5 trials done)' in again.stdout
    assert len(load(out).trials) == 5
    assert len(load(out, 'caffe-search.report').trials) == 8

    # Other settings are refused, naming what differs.
    changed = run_cli(args + ['--seed', '1'])
    assert changed.returncode == 1
    assert 'seed: the study has 0, this run has 1' in changed.stderr


def _summary(out):
    return [(t.number, t.params, t.value, t.user_attrs['history'])
            for t in load(out).trials]


def test_same_seed_same_trials_and_a_trial_reruns_exactly(tmp_path, arrays):
    # With pretraining: every trial starts from the same pretrained weights.
    outs = [tmp_path / 'a', tmp_path / 'b']
    for out in outs:
        config = search.SearchConfig(out=str(out), images=arrays[0], labels=arrays[1],
                                     split=(30, 30), batch_size=10, epochs=2, trials=6,
                                     startup_trials=2, report_seeds=0, pretrain_epochs=1,
                                     quiet=True)
        result = search.run(config, stream=open(os.devnull, 'w'))
        assert result.report_text is None
        assert (out / 'pretrain' / 'weights.caffemodel').exists()
    first, second = _summary(outs[0]), _summary(outs[1])
    assert first == second
    assert first[4][1]  # trials after the warm start were sampled
    assert search.rerun_trial(str(outs[0]), 4) == first[4][3]


def _wait(predicate, limit=120):
    deadline = time.time() + limit
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_kill_9_then_resume_loses_nothing_and_runs_nothing_twice(tmp_path, arrays):
    out = tmp_path / 'out'
    # Children long enough (about a second each here) for the poll below to
    # see one finished while another runs: with 8 epochs they took 30-90 ms
    # and the whole search could end between two polls.
    args = command(arrays, out, '--trials', '6', '--workers', '2', '--report-seeds', '0',
                   '--epochs', '150', '--pruner', 'none')
    process = subprocess.Popen([sys.executable, '-m', 'caffe.search'] + args, env=env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        def busy():
            try:
                trials = load(out).get_trials(deepcopy=False)
            except KeyError:  # no journal or no study in it yet
                return False
            return (sum(t.state == TrialState.COMPLETE for t in trials) >= 1
                    and sum(t.state == TrialState.RUNNING for t in trials) >= 1)
        assert _wait(busy), 'the search never had a finished and a running trial'
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    killed = [t.number for t in load(out).trials if t.state == TrialState.RUNNING]
    assert killed
    result = run_cli(args)
    assert result.returncode == 0, result.stderr
    final = load(out)
    assert finished_slots(final) == list(range(6))
    failed = [t for t in final.trials if t.state == TrialState.FAIL]
    assert sorted(t.number for t in failed) == sorted(killed)
    for trial in failed:
        # Killed while running, or between being claimed and saying which
        # process runs it (the resume fails it after the grace period).
        reason = trial.user_attrs[study_module.FAIL_REASON]
        assert 'is gone' in reason or reason == 'claimed but never started', reason
    retried = {t.user_attrs[study_module.SLOT]: t for t in final.trials
               if t.state == TrialState.COMPLETE}
    for trial in failed:  # the retry kept the parameters sampled before the kill
        assert trial.params.items() <= retried[trial.user_attrs[study_module.SLOT]].params.items()


def test_triplet_child(tmp_path, arrays):
    out = tmp_path / 'out'
    result = run_cli(command(arrays, out, '--triplets', '1', '--trials', '3',
                             '--report-seeds', '1', '--epochs', '1'))
    assert result.returncode == 0, result.stderr
    assert 'triplets of 1x12x12' in result.stdout
    trials = load(out).trials
    assert all(0 <= t.value <= 1 for t in trials)
    assert 'TripletAccuracy' in json.load(open(out / 'work' / 'plan.json'))['template']


USER_NET = '''
name: "user"
layer { name: "data" type: "Data" top: "data" top: "label"
  data_param { source: "%s" batch_size: 10 backend: LMDB }
  transform_param { scale: 0.00390625 } }
layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1"
  inner_product_param { num_output: 16 weight_filler { type: "xavier" } } }
layer { name: "relu" type: "ReLU" bottom: "ip1" top: "ip1" }
layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2"
  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip2" bottom: "label" top: "loss" }
layer { name: "acc" type: "Accuracy" bottom: "ip2" bottom: "label" top: "top1"
  include { phase: TEST } }
'''


def test_user_prototxt_child_and_its_export_trains(tmp_path, caffe_tool):
    images, labels = shapes(90)
    paths = search.write_arrays(images, labels, str(tmp_path / 'data'), 30, 30)
    net = tmp_path / 'train_val.prototxt'
    net.write_text(USER_NET % paths['train'])
    out = tmp_path / 'out'
    result = run_cli(['--net', str(net), '--train', paths['train'], '--val', paths['val'],
                      '--out', str(out), '--score', 'top1', '--trials', '3', '--epochs', '1',
                      '--report-seeds', '0', '--enqueue', 'rotation: 10'])
    assert result.returncode == 1  # 3 trials cannot hold 4 warm-start trials
    assert '3 trials cannot hold the 4 warm-start trials' in result.stderr
    result = run_cli(['--net', str(net), '--train', paths['train'], '--val', paths['val'],
                      '--out', str(out), '--score', 'top1', '--trials', '4', '--epochs', '1',
                      '--report-seeds', '0', '--enqueue', 'rotation: 10'])
    assert result.returncode == 0, result.stderr
    trials = load(out).trials
    assert trials[3].user_attrs[study_module.BASELINE] == 'user:policy 1'
    exported = (out / 'export' / 'best_train_val.prototxt').read_text()
    assert exported.count('augmentation_param') <= 1
    trained = caffe_tool('train', '-solver', str(out / 'export' / 'best_solver.prototxt'),
                         cwd=str(tmp_path))
    assert trained.returncode == 0, trained.stderr[-2000:]


def test_deepaugment_interface(tmp_path):
    images, labels = shapes(90)
    deepaug = search.DeepAugment(images, labels, config={
        'train_set_size': 30, 'child_epochs': 1, 'child_batch_size': 10, 'opt_samples': 1,
        'method': 'random_search', 'report_seeds': 0, 'quiet': True}, out=str(tmp_path / 'da'))
    top = deepaug.optimize(1)
    assert len(top) == 4 and 'A_aug1_type' in top[0]
    assert deepaug.result.best_value == pytest.approx(
        max(float(row['mean_late_val_acc']) for row in top), abs=1e-5)


@pytest.mark.parametrize('extra, message', [
    (['--score', 'nope'], "no blob 'nope' to score trials with in the TEST phase"),
    (['--space', 'autoaugment'], "unknown search space 'autoaugment'"),
    (['--ops', 'ROTATE,SPIN'], "unknown augmentation op 'SPIN'"),
    (['--storage', 'postgresql://me:secret@127.0.0.1:1/db'],
     'cannot reach the study storage postgresql://me:***@127.0.0.1:1/db'),
    (['--net', 'wrn_11_1'], 'depth = 6n + 4'),
])
def test_bad_input_gets_a_clear_error(tmp_path, arrays, extra, message):
    result = run_cli(command(arrays, tmp_path / 'out', '--trials', '3') + extra)
    assert result.returncode == 1
    assert message in result.stderr
    assert 'Traceback' not in result.stderr and 'secret' not in result.stderr


def test_too_few_records(tmp_path, arrays):
    result = run_cli(command(arrays, tmp_path / 'out')[:-6] + ['--split', '60,40'])
    assert result.returncode == 1
    assert 'too few records for the split: 90 records' in result.stderr
