"""Upstream pycaffe's API beyond nets and blobs: top-level settings, net
hooks and ids, HDF5 weights, MemoryData input arrays, solver callbacks and
live solver parameters, written against upstream's documented behaviour."""
import warnings

import numpy as np
import pytest

import caffe

NET = '''name: "small" force_backward: true
layer { name: "data" type: "DummyData" top: "data" top: "label"
  dummy_data_param { shape { dim: 4 dim: 2 dim: 3 dim: 3 } shape { dim: 4 }
                     data_filler { type: "gaussian" std: 1 } data_filler { type: "constant" } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 2 weight_filler { type: "gaussian" std: 1 }
                      bias_filler { type: "constant" value: 0.5 } } }
layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip"
  inner_product_param { num_output: 5 weight_filler { type: "gaussian" std: 1 } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
'''

MEMORY_NET = '''name: "memory"
layer { name: "data" type: "MemoryData" top: "data" top: "label"
  memory_data_param { batch_size: 2 channels: 1 height: 2 width: 2 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 1 weight_filler { type: "constant" value: 1 } } }
'''

SOLVER = '''net: "{net}"
base_lr: 0.01 lr_policy: "step" gamma: 0.5 stepsize: 2 momentum: 0 weight_decay: 0
max_iter: 10 display: 0 snapshot_after_train: false snapshot_prefix: "{prefix}"
'''


@pytest.fixture
def net(write):
    return caffe.Net(write('small.prototxt', NET), caffe.TRAIN)


@pytest.fixture
def solver(write, tmp_path):
    net_file = write('small.prototxt', NET)
    return caffe.SGDSolver(write('solver.prototxt',
                                 SOLVER.format(net=net_file, prefix=tmp_path / 'snap')))


# ------------------------------------------------------------ top level ---

def test_gpu_requests_warn_once_and_stay_on_cpu(net):
    caffe._runtime._gpu_warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        caffe.set_device(1)
        caffe.set_mode_gpu()
        caffe.set_mode_gpu()
    assert len(caught) == 1 and 'CPU-only' in str(caught[0].message)
    net.forward()  # still computes, on the CPU
    with pytest.raises(caffe.ConfigError):
        caffe.set_device(-1)


def test_parallel_settings_and_nccl():
    assert caffe.has_nccl() is False
    assert (caffe.solver_count(), caffe.solver_rank()) == (1, 0)
    try:
        caffe.set_solver_count(4)
        caffe.set_solver_rank(3)
        caffe.set_multiprocess(True)
        assert (caffe.solver_count(), caffe.solver_rank(), caffe.multiprocess()) == (4, 3, True)
        with pytest.raises(caffe.ConfigError):
            caffe.set_solver_count(0)
    finally:
        caffe.set_solver_count(1)
        caffe.set_solver_rank(0)
        caffe.set_multiprocess(False)


def test_timer_measures_between_start_and_stop():
    timer = caffe.Timer()
    assert timer.ms == 0
    timer.start()
    sum(range(100000))
    timer.stop()
    elapsed = timer.ms
    assert elapsed > 0
    assert timer.ms == elapsed  # stopped: no longer grows


def test_init_log_and_log_reach_stderr(tmp_path):
    # glog is process-wide: check in a child process.
    import subprocess
    import sys
    code = ('import caffe; caffe.init_log(0, True); caffe.log("hello from pycaffe"); '
            'caffe.init_log(2, True); caffe.log("dropped")')
    result = subprocess.run([sys.executable, '-c', code], stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=60,
                            env=dict(__import__('os').environ, GLOG_minloglevel='0'))
    assert result.returncode == 0, result.stderr
    assert 'hello from pycaffe' in result.stderr and 'dropped' not in result.stderr
    with pytest.raises(caffe.ConfigError):
        caffe.init_log(7)


@pytest.mark.parametrize('env, expected', [
    ({}, 'default'),
    ({'CAFFE_BLAS_THREADS': '3'}, 3),
    ({'OPENBLAS_NUM_THREADS': '2'}, 2),                              # the user's choice stays
    ({'CAFFE_BLAS_THREADS': '1', 'OPENBLAS_NUM_THREADS': '2'}, 1),   # ours wins
])
def test_blas_thread_default_and_environment(env, expected):
    import os
    import subprocess
    import sys
    clean = {k: v for k, v in os.environ.items()
             if k not in ('CAFFE_BLAS_THREADS', 'OPENBLAS_NUM_THREADS', 'GOTO_NUM_THREADS',
                          'OMP_NUM_THREADS')}
    clean.update(env)
    result = subprocess.run([sys.executable, '-c', 'import caffe; print(caffe.blas_threads(), '
                             'caffe.default_blas_threads())'], env=clean, timeout=60,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    assert result.returncode == 0, result.stderr
    threads, default = (int(v) for v in result.stdout.split())
    assert threads == (default if expected == 'default' else expected)


def test_blas_threads_can_be_set():
    before = caffe.blas_threads()
    assert 1 <= caffe.default_blas_threads() <= 4
    try:
        caffe.set_blas_threads(1)
        assert caffe.blas_threads() == 1
        with pytest.raises(caffe.ConfigError):
            caffe.set_blas_threads(0)
    finally:
        caffe.set_blas_threads(before)


# ------------------------------------------------------------------ Net ---

def test_bottom_and_top_ids_index_blob_names(net):
    names = list(net._blob_names)
    for i, layer in enumerate(net._layer_names):
        assert [names[j] for j in net._top_ids(i)] == net.top_names[layer]
        assert [names[j] for j in net._bottom_ids(i)] == net.bottom_names[layer]


def test_hooks_run_around_every_layer(net):
    calls = []
    net.before_forward(lambda i: calls.append(('before_forward', i)))
    net.after_forward(lambda i: calls.append(('after_forward', i)))
    net.before_backward(lambda i: calls.append(('before_backward', i)))
    net.after_backward(lambda i: calls.append(('after_backward', i)))
    net.forward()
    net.backward()
    count = len(net.layers)
    forward = [c for c in calls if c[0].endswith('forward')]
    backward = [c for c in calls if c[0].endswith('backward')]
    assert forward == [(kind, i) for i in range(count)
                       for kind in ('before_forward', 'after_forward')]
    assert backward == [(kind, i) for i in reversed(range(count))
                        for kind in ('before_backward', 'after_backward')]


def test_hook_exception_stops_forward(net):
    def fail(layer):
        if layer == 2:
            raise KeyError('stop here')
    net.after_forward(fail)
    with pytest.raises(KeyError, match='stop here'):
        net.forward()


def test_hooks_see_the_layer_output(net):
    seen = {}
    conv = list(net._layer_names).index('conv')
    net.after_forward(lambda i: seen.setdefault(i, net.blobs['conv'].data.copy())
                      if i == conv else None)
    net.forward()
    np.testing.assert_array_equal(seen[conv], net.blobs['conv'].data)


def test_save_hdf5_and_load_hdf5_round_trip(net, write, tmp_path):
    path = tmp_path / 'weights.h5'
    net.save_hdf5(str(path))
    with open(path, 'rb') as handle:
        assert handle.read(8) == b'\x89HDF\r\n\x1a\n'
    other = caffe.Net(write('other.prototxt', NET), caffe.TRAIN)
    other.load_hdf5(path)
    for name in net.params:
        for mine, theirs in zip(net.params[name], other.params[name]):
            np.testing.assert_array_equal(mine.data, theirs.data)
    # The Net constructor and copy_from recognise HDF5 weights too.
    third = caffe.Net(write('third.prototxt', NET), caffe.TEST, weights=str(path))
    np.testing.assert_array_equal(third.params['ip'][0].data, net.params['ip'][0].data)
    with pytest.raises(caffe.IOError):
        other.load_hdf5(tmp_path / 'missing.h5')


def test_set_input_arrays_feeds_memory_data(write):
    net = caffe.Net(write('memory.prototxt', MEMORY_NET), caffe.TEST)
    data = np.arange(4 * 4, dtype=np.float32).reshape(4, 1, 2, 2)
    labels = np.array([7, 8, 9, 10], dtype=np.float32)
    net.set_input_arrays(data, labels)
    for batch in (0, 1, 0):  # wraps around after the last batch
        out = net.forward()
        np.testing.assert_array_equal(net.blobs['data'].data, data[2 * batch:2 * batch + 2])
        np.testing.assert_array_equal(net.blobs['label'].data, labels[2 * batch:2 * batch + 2])
        np.testing.assert_allclose(out['ip'].ravel(), data[2 * batch:2 * batch + 2].sum((1, 2, 3)))
    # Changing the arrays in place feeds the new values.
    data[:] = 1
    net.forward()
    np.testing.assert_array_equal(net.blobs['data'].data, 1)


def test_set_input_arrays_keeps_the_arrays_alive(write, tmp_path):
    """The arrays may be temporaries given through a temporary net wrapper
    (solver.net): the layer holds them for as long as it reads them."""
    import gc
    net_file = write('memory.prototxt', MEMORY_NET)
    solver = caffe.SGDSolver(write('solver.prototxt', SOLVER.format(net=net_file,
                                                                     prefix=tmp_path / 's')))
    solver.net.set_input_arrays(np.full((4, 1, 2, 2), 3, np.float32),
                                np.arange(4, dtype=np.float32))
    gc.collect()
    np.full((4, 1, 2, 2), -1, np.float32)  # reuse freed memory, if any was freed
    solver.net.forward()
    solver.net.forward()
    np.testing.assert_array_equal(solver.net.blobs['data'].data, 3)
    np.testing.assert_array_equal(solver.net.blobs['label'].data, [2, 3])


def test_set_input_arrays_rejects_what_the_layer_cannot_use(write, net):
    memory = caffe.Net(write('memory.prototxt', MEMORY_NET), caffe.TEST)
    good = np.zeros((4, 1, 2, 2), np.float32)
    labels = np.zeros(4, np.float32)
    with pytest.raises(caffe.ConfigError, match='float32'):
        memory.set_input_arrays(good.astype(np.float64), labels)
    with pytest.raises(caffe.ShapeError, match='multiple'):
        memory.set_input_arrays(good[:3], labels[:3])
    with pytest.raises(caffe.ShapeError):
        memory.set_input_arrays(np.zeros((4, 1, 3, 2), np.float32), labels)
    with pytest.raises(caffe.ConfigError, match='C-contiguous'):
        memory.set_input_arrays(np.zeros((4, 1, 2, 4), np.float32)[..., ::2], labels)
    with pytest.raises(RuntimeError, match='MemoryData'):  # upstream raises RuntimeError
        net.set_input_arrays(good, labels)
    with pytest.raises(caffe.ConfigError, match='has no data'):
        memory.forward()


# --------------------------------------------------------------- Solver ---

def test_apply_update_uses_the_learning_rate(solver):
    weights = solver.net.params['ip'][0]
    weights.data[...] = 0
    weights.diff[...] = 1
    solver.apply_update()
    np.testing.assert_allclose(weights.data, -0.01, rtol=1e-6)
    assert solver.iter == 0


def test_lr_follows_the_policy(solver):
    assert solver.lr == pytest.approx(0.01)
    solver.step(2)
    assert solver.lr == pytest.approx(0.005)


def test_callbacks_run_each_iteration_in_order(solver):
    events = []
    solver.add_callback(lambda: events.append(('start', solver.iter)),
                        lambda: events.append(('gradients', solver.iter,
                                               float(np.abs(solver.net.params['ip'][0].diff).sum()))))
    solver.step(2)
    assert [e[:2] for e in events] == [('start', 0), ('gradients', 0), ('start', 1),
                                      ('gradients', 1)]
    assert all(e[2] > 0 for e in events if e[0] == 'gradients')


def test_callback_exception_stops_the_step(solver):
    def fail():
        raise ValueError('no more')
    solver.add_callback(fail, None)
    with pytest.raises(ValueError, match='no more'):
        solver.step(1)


def test_share_weights_makes_a_net_use_the_solver_weights(solver, write):
    net = caffe.Net(write('deploy.prototxt', NET), caffe.TEST)
    solver.share_weights(net)
    solver.step(1)
    np.testing.assert_array_equal(net.params['ip'][0].data, solver.net.params['ip'][0].data)


def test_param_writes_take_effect(solver):
    assert solver.param.base_lr == pytest.approx(0.01)
    solver.param.base_lr = 0.1
    assert solver.param.base_lr == pytest.approx(0.1)
    assert solver.lr == pytest.approx(0.1)
    weights = solver.net.params['ip'][0]
    weights.data[...] = 0
    weights.diff[...] = 1
    solver.apply_update()
    np.testing.assert_allclose(weights.data, -0.1, rtol=1e-6)
    solver.param.max_iter = 3
    solver.solve()
    assert solver.iter == 3
    solver.param.stepvalue = [1, 2]
    assert solver.param.stepvalue == (1, 2)


def test_param_refuses_what_cannot_change(solver):
    with pytest.raises(caffe.ConfigError, match="'net'"):
        solver.param.net = 'other.prototxt'
    with pytest.raises(caffe.ConfigError, match="'random_seed'"):
        solver.param.random_seed = 3
    with pytest.raises(AttributeError):
        solver.param.no_such_field = 1
    with pytest.raises(AttributeError):
        solver.param.stepvalue.append(5)  # a tuple: writes are not silently lost
    assert solver.param.train_state.level == 0
    with pytest.raises(caffe.ConfigError, match="'train_state.level'"):
        solver.param.train_state.level = 2
    assert isinstance(solver.param.copy(), caffe.proto.caffe_pb2.SolverParameter)


# ------------------------------------------------------------ HDF5 layers ---

def test_hdf5_output_then_hdf5_data_round_trip(write, tmp_path):
    """Rows written by an HDF5Output layer (fed by MemoryData) come back
    through an HDF5Data layer, in order and across two files."""
    files = []
    for part in range(2):
        path = tmp_path / ('part%d.h5' % part)
        writer = caffe.Net(write('writer%d.prototxt' % part, '''name: "writer"
layer { name: "data" type: "MemoryData" top: "data" top: "label"
  memory_data_param { batch_size: 2 channels: 1 height: 1 width: 3 } }
layer { name: "out" type: "HDF5Output" bottom: "data" bottom: "label"
  hdf5_output_param { file_name: "%s" } }
''' % path), caffe.TEST)
        data = (np.arange(12, dtype=np.float32) + 100 * part).reshape(4, 1, 1, 3)
        writer.set_input_arrays(data, np.arange(4, dtype=np.float32) + 10 * part)
        writer.forward()
        writer.forward()
        assert not path.exists()  # written under a temporary name until the net goes
        del writer
        assert path.exists()
        files.append(str(path))
    listing = write('files.txt', '\n'.join(files) + '\n')
    reader = caffe.Net(write('reader.prototxt', '''name: "reader"
layer { name: "data" type: "HDF5Data" top: "data" top: "label"
  hdf5_data_param { source: "%s" batch_size: 3 } }
''' % listing), caffe.TEST)
    assert reader.blobs['data'].data.shape == (3, 1, 1, 3)
    rows = []
    labels = []
    for _ in range(3):  # 9 rows: the 8 written, then the first again
        out = reader.forward()
        rows.extend(out['data'].reshape(3, 3).tolist())
        labels.extend(out['label'].tolist())
    assert [row[0] for row in rows] == [0, 3, 6, 9, 100, 103, 106, 109, 0]
    assert labels == [0, 1, 2, 3, 10, 11, 12, 13, 0]
    with pytest.raises(caffe.IOError, match='missing.h5'):
        caffe.Net(write('bad.prototxt', '''name: "bad"
layer { name: "data" type: "HDF5Data" top: "data"
  hdf5_data_param { source: "%s" batch_size: 1 } }
''' % write('bad.txt', str(tmp_path / 'missing.h5'))), caffe.TEST)
