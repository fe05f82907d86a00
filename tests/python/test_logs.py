"""caffe.tools.parse_log and plot_log on a log written by `caffe train`,
with both glog line prefixes, and the ETA line `caffe train` adds."""
import csv
import math
import os
import re
import subprocess
import sys

import pytest

from caffe.tools import parse_log as parse_log_module
from caffe.tools.parse_log import extract_datetime_from_line, parse_log

NET = '''name: "tiny"
layer { name: "data" type: "DummyData" top: "data" top: "label"
  dummy_data_param { shape { dim: 8 dim: 4 } shape { dim: 8 }
                     data_filler { type: "gaussian" std: 1 } data_filler { type: "constant" } } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
'''
SOLVER = '''net: "{net}"
base_lr: 0.1 lr_policy: "step" gamma: 0.5 stepsize: 10 momentum: 0.9
max_iter: 20 display: 5 test_iter: 2 test_interval: 10 random_seed: 1701
snapshot_after_train: false snapshot_prefix: "{prefix}"
'''


def run_train(work, *flags):
    from conftest import find_tool
    tool = find_tool()
    if tool is None:
        pytest.fail('caffe tool not found: build it (make tool_caffe) or set CAFFE_TOOL')
    (work / 'net.prototxt').write_text(NET)
    (work / 'solver.prototxt').write_text(SOLVER.format(net=work / 'net.prototxt',
                                                        prefix=work / 'snap'))
    env = dict(os.environ)
    env.pop('GLOG_minloglevel', None)
    result = subprocess.run([tool, 'train', '-solver', str(work / 'solver.prototxt')]
                            + list(flags), cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert result.returncode == 0, result.stderr
    log = work / 'caffe.INFO'
    log.write_text(result.stderr)
    return log


@pytest.fixture(scope='module')
def train_log(tmp_path_factory):
    return run_train(tmp_path_factory.mktemp('train'))


def test_train_logs_progress_with_eta_after_each_display(train_log):
    text = train_log.read_text()
    progress = re.findall(r'Progress: (\d+)/20 iterations \(([\d.]+)%\), [\d.]+ iter/s, '
                          r'ETA (\d+):(\d\d):(\d\d)', text)
    assert [int(p[0]) for p in progress] == [1, 6, 11, 16]
    assert progress[-1][1] == '80.0'
    # Upstream's own lines are still there, unchanged.
    assert re.search(r'Iteration 5 \([\d.e+-]+ iter/s, [\d.e+-]+s/5 iters\), loss = ', text)
    assert re.search(r'Iteration 5, lr = 0\.1', text)


def test_parse_log_tables(train_log):
    train, test = parse_log(str(train_log))
    # Displays at 0, 5, 10, 15 (the final "Iteration 20, loss" has no outputs).
    assert [row['NumIters'] for row in train] == [0, 5, 10, 15]
    assert list(train[0].keys()) == ['NumIters', 'Seconds', 'LearningRate', 'loss']
    # As upstream's parser: a row carries the last rate logged before its
    # outputs (the rate line follows them), and the first row the second's.
    assert [row['LearningRate'] for row in train] == [0.1, 0.1, 0.1, 0.05]
    assert all(row['Seconds'] >= 0 for row in train)
    assert [row['NumIters'] for row in test] == [0, 10, 20]
    assert list(test[0].keys()) == ['NumIters', 'Seconds', 'LearningRate', 'accuracy', 'loss']
    assert all(0 <= row['accuracy'] <= 1 and not math.isnan(row['loss']) for row in test)


def test_old_glog_prefix_parses_the_same(train_log, tmp_path):
    # glog < 0.6, and glog's -log_year_in_prefix=false (the documented way to
    # keep upstream's parse_log.py working), write I1129 instead of I20261129.
    old = run_train(tmp_path, '-log_year_in_prefix=false')
    assert re.search(r'^I\d{4} \d\d:', old.read_text(), flags=re.MULTILINE)
    assert not re.search(r'^I\d{8} ', old.read_text(), flags=re.MULTILINE)

    def without_seconds(rows):
        return [{k: v for k, v in row.items() if k != 'Seconds'} for row in rows]
    old_train, old_test = parse_log(str(old))
    new_train, new_test = parse_log(str(train_log))
    assert without_seconds(old_train) == without_seconds(new_train)
    assert without_seconds(old_test) == without_seconds(new_test)
    stamp = extract_datetime_from_line('I1129 19:36:43.123456  77 solver.cpp:1] x', 2024)
    assert (stamp.year, stamp.month, stamp.microsecond) == (2024, 11, 123456)
    assert extract_datetime_from_line('not a glog line', 2024) is None


def test_command_line_writes_upstreams_csv_files(train_log, tmp_path):
    out = tmp_path / 'csv'
    out.mkdir()
    result = subprocess.run([sys.executable, '-m', 'caffe.tools.parse_log', str(train_log),
                             str(out), '--verbose'], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with open(out / 'caffe.INFO.train') as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0].keys() == {'NumIters', 'Seconds', 'LearningRate', 'loss'}
    assert [r['NumIters'] for r in rows] == ['0', '5', '10', '15']
    with open(out / 'caffe.INFO.test') as handle:
        assert next(csv.reader(handle)) == ['NumIters', 'Seconds', 'LearningRate', 'accuracy',
                                            'loss']
    assert not [p for p in os.listdir(out) if p.endswith('.tmp')]


def test_plot_log_writes_a_png(train_log, tmp_path):
    pytest.importorskip('matplotlib')
    png = tmp_path / 'curves.png'
    result = subprocess.run([sys.executable, '-m', 'caffe.tools.plot_log', str(train_log),
                             str(png), '--x', 'seconds'], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'train loss' in result.stdout and 'test accuracy' in result.stdout
    with open(png, 'rb') as handle:
        assert handle.read(8) == b'\x89PNG\r\n\x1a\n'
    from caffe.tools.plot_log import plot_log
    with pytest.raises(ValueError, match='no training or test outputs'):
        plot_log(str(train_log), str(tmp_path / 'none.png'), fields=['nothing'])


def test_missing_log_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit):
        parse_log_module.main([str(tmp_path / 'missing.log'), str(tmp_path)])
