"""Interruption and data errors (issue 11): Ctrl-C/SIGTERM during a
conversion removes its temporary output, Ctrl-C in pycaffe's solver raises
KeyboardInterrupt after a whole iteration, and `caffe train` keeps the last
completed iteration when it stops on a damaged record."""
import glob
import os
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

import caffe
from caffe.proto import caffe_pb2

from test_bad_input_corpus import NET_GOOD, png, solver, tools_dir


def write(path, content):
    with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
        f.write(content)
    return str(path)


@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_signal_during_conversion_removes_the_temporary(tmp_path, sig):
    write(tmp_path / 'a.png', png(64, 64, 9))
    # Many lines, so the conversion is still running when the signal comes.
    write(tmp_path / 'list.txt', ''.join('a.png %d\n' % (i % 10) for i in range(200000)))
    process = subprocess.Popen([os.path.join(tools_dir(), 'convert_imageset'), './', 'list.txt',
                                'out'], cwd=str(tmp_path), stderr=subprocess.PIPE,
                               universal_newlines=True)
    deadline = time.time() + 30
    while not glob.glob(str(tmp_path / 'out.tmp-*')) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == -sig, stderr
    assert 'removed the partial output' in stderr
    assert glob.glob(str(tmp_path / 'out*')) == []


def test_keyboard_interrupt_in_solver_step_leaves_it_consistent(tmp_path):
    net = write(tmp_path / 'net.prototxt', NET_GOOD)
    sgd = caffe.SGDSolver(write(tmp_path / 'solver.prototxt',
                                solver(net, 'max_iter: 100000000\n')))
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sgd.step(100000000)
    timer.join()
    stopped_at = sgd.iter
    assert 0 < stopped_at < 100000000
    # Whole iterations only: the solver carries on from where it stopped.
    sgd.step(3)
    assert sgd.iter == stopped_at + 3


def test_keyboard_interrupt_in_solve(tmp_path):
    net = write(tmp_path / 'net.prototxt', NET_GOOD)
    sgd = caffe.SGDSolver(write(tmp_path / 'solver.prototxt',
                                solver(net, 'max_iter: 100000000\n')))
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sgd.solve()
    timer.join()
    assert sgd.iter > 0


def test_train_snapshots_the_last_iteration_when_data_breaks(tmp_path):
    db = str(tmp_path / 'train_lmdb')
    with caffe.db.open(db, 'lmdb', 'new') as handle:
        with handle.transaction() as txn:
            for i in range(7):
                txn.put_datum(b'%08d' % i, np.full((1, 8, 8), i, np.uint8), label=i % 3)
            txn.put(b'99999999', b'\xff\xfe not a datum')
    write(tmp_path / 'net.prototxt', (
        'layer { name: "data" type: "Data" top: "x" top: "label"\n'
        '  data_param { source: "%s" batch_size: 1 backend: LMDB } }\n'
        'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"\n'
        '  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "l" }\n'
        % db))
    write(tmp_path / 'solver.prototxt', solver('net.prototxt', 'max_iter: 50\nsnapshot: 5\n'
                                               'snapshot_prefix: "snap"\n'))
    run = subprocess.run([os.path.join(tools_dir(), 'caffe'), 'train', '-solver',
                          'solver.prototxt'], cwd=str(tmp_path), stderr=subprocess.PIPE,
                         universal_newlines=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "'99999999'" in run.stderr
    assert 'snapshotting the last completed iteration (7)' in run.stderr
    state = caffe_pb2.SolverState()
    with open(str(tmp_path / 'snap_iter_7.solverstate'), 'rb') as f:
        state.ParseFromString(f.read())
    assert state.iter == 7
    assert os.path.exists(str(tmp_path / 'snap_iter_7.caffemodel'))
