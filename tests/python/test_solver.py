"""Solvers from Python: stepping a Python-layer net matches numpy's SGD,
snapshots restore, every solver class builds, solver state is visible."""
import os
import pathlib

import numpy as np
import pytest

import caffe
from conftest import linear_net

SOLVER = '''net: "{net}"
base_lr: 0.1
lr_policy: "fixed"
momentum: 0.9
weight_decay: 0.01
max_iter: {max_iter}
display: 0
snapshot_prefix: "{prefix}"
snapshot_after_train: {snapshot_after_train}
{extra}'''


@pytest.fixture
def solver_file(tmp_path, write):
    def make(max_iter=3, extra='', snapshot_after_train='false'):
        net = write('linear.prototxt', linear_net(n=8, d=5, k=3, seed=3))
        return write('solver.prototxt', SOLVER.format(
            net=net, max_iter=max_iter, prefix=str(tmp_path / 'snap'), extra=extra,
            snapshot_after_train=snapshot_after_train))
    return make


def numpy_gradient(x, t, w):
    y = x.dot(w.T)
    return ((y - t) / x.shape[0]).T.dot(x)


def test_sgd_steps_match_numpy(solver_file):
    solver = caffe.SGDSolver(solver_file())
    assert solver.type == 'SGD' and solver.iter == 0
    net = solver.net
    x = net.layers[0].data.astype(np.float64)
    t = net.layers[0].target.astype(np.float64)
    w = net.params['ip'][0].data.astype(np.float64).copy()
    history = np.zeros_like(w)
    for step in range(3):
        grad = numpy_gradient(x, t, w) + 0.01 * w
        history = 0.9 * history + 0.1 * grad
        w = w - history
        solver.step(1)
        assert solver.iter == step + 1
        np.testing.assert_allclose(net.params['ip'][0].data, w, rtol=1e-5, atol=1e-7)


def test_solver_param_and_registry(solver_file):
    solver = caffe.get_solver(pathlib.Path(solver_file(extra='type: "Adam"')))
    assert isinstance(solver, caffe.AdamSolver) and solver.type == 'Adam'
    param = solver.param
    assert param.base_lr == pytest.approx(0.1) and param.max_iter == 3
    assert param.type == 'Adam'
    assert set(caffe.solver_type_list()) >= {'SGD', 'Nesterov', 'AdaGrad', 'RMSProp',
                                             'AdaDelta', 'Adam'}


@pytest.mark.parametrize('cls,name', [
    (caffe.SGDSolver, 'SGD'), (caffe.NesterovSolver, 'Nesterov'),
    (caffe.AdaGradSolver, 'AdaGrad'), (caffe.RMSPropSolver, 'RMSProp'),
    (caffe.AdaDeltaSolver, 'AdaDelta'), (caffe.AdamSolver, 'Adam')])
def test_every_solver_class_trains(solver_file, cls, name):
    extra = 'momentum2: 0.999\ndelta: 1e-6\n' if name in ('Adam', 'AdaDelta') else ''
    path = solver_file(extra=extra)
    if name in ('AdaGrad', 'RMSProp'):
        path_text = open(path).read().replace('momentum: 0.9', 'momentum: 0')
        open(path, 'w').write(path_text)
    solver = cls(path)
    assert solver.type == name
    before = solver.net.params['ip'][0].data.copy()
    solver.step(2)
    assert solver.iter == 2
    assert not np.allclose(before, solver.net.params['ip'][0].data)


def test_solve_snapshot_restore(solver_file, tmp_path):
    path = solver_file(max_iter=4)
    solver = caffe.SGDSolver(path)
    solver.step(2)
    solver.snapshot()
    state = str(tmp_path / 'snap_iter_2.solverstate')
    assert os.path.exists(state) and os.path.exists(str(tmp_path / 'snap_iter_2.caffemodel'))
    solver.step(1)
    expected = solver.net.params['ip'][0].data.copy()

    resumed = caffe.SGDSolver(path)
    resumed.restore(state)
    assert resumed.iter == 2
    resumed.step(1)
    np.testing.assert_allclose(resumed.net.params['ip'][0].data, expected, rtol=1e-6)

    again = caffe.SGDSolver(path)
    again.solve(state)
    assert again.iter == 4

    fresh = caffe.SGDSolver(path)
    fresh.solve()
    assert fresh.iter == 4


def test_test_nets_share_weights_when_tested(solver_file, tmp_path, write):
    net = write('linear.prototxt', linear_net(n=8, d=5, k=3, seed=3))
    solver = caffe.SGDSolver(solver_file(extra='test_net: "%s"\ntest_iter: 1\n'
                                         'test_interval: 1\n' % net))
    assert len(solver.test_nets) == 1
    test_net = solver.test_nets[0]
    assert test_net.phase == caffe.TEST
    solver.step(2)
    assert np.shares_memory(test_net.params['ip'][0].data, solver.net.params['ip'][0].data)
    test_net.share_with(solver.net)  # what the solver does before every test


def test_restore_missing_state_is_io_error(solver_file, tmp_path):
    solver = caffe.SGDSolver(solver_file())
    with pytest.raises(caffe.IOError):
        solver.restore(str(tmp_path / 'nothing.solverstate'))
