"""Nets made of Python layers, driven from Python: values against numpy,
phases, parameters created by layers, exceptions, threads."""
import threading

import numpy as np
import pytest

import caffe
from conftest import linear_net, python_layer


def make_linear_net(write, phase=caffe.TRAIN, **kwargs):
    return caffe.Net(write('linear.prototxt', linear_net(**kwargs)), phase)


def numpy_linear(net):
    x = net.blobs['data'].data.astype(np.float64)
    t = net.blobs['target'].data.astype(np.float64)
    w = net.params['ip'][0].data.astype(np.float64)
    y = x.dot(w.T)
    loss = np.sum((y - t) ** 2) / x.shape[0] / 2
    dy = (y - t) / x.shape[0]
    return loss, dy.T.dot(x), dy.dot(w)


def test_structure(write):
    net = make_linear_net(write)
    assert list(net.blobs) == ['data', 'target', 'ip', 'loss']
    assert list(net.params) == ['ip'] and net.params['ip'][0].shape == (2, 3)
    assert list(net._layer_names) == ['data', 'ip', 'loss']
    assert list(net.layer_dict) == ['data', 'ip', 'loss']
    assert net.inputs == [] and net.outputs == ['loss']
    assert net.top_names['data'] == ['data', 'target']
    assert net.bottom_names['loss'] == ['ip', 'target']
    assert [layer.type for layer in net.layers] == ['Python'] * 3
    assert type(net.layers[1]).__name__ == 'LinearLayer'
    assert net.layers[1].blobs[0].shape == (2, 3)
    assert net.blob_loss_weights['loss'] == 1 and net.blob_loss_weights['ip'] == 0


def test_forward_backward_match_numpy(write):
    net = make_linear_net(write)
    out = net.forward()
    loss, dw, dx = numpy_linear(net)
    assert set(out) == {'loss'}
    np.testing.assert_allclose(out['loss'], loss, rtol=1e-5)
    net.clear_param_diffs()
    net.backward()
    np.testing.assert_allclose(net.params['ip'][0].diff, dw, rtol=1e-5, atol=1e-7)
    # The data layer does not need gradients, so 'data' gets none.
    assert not net.blobs['data'].diff.any()
    # Parameter gradients accumulate over backward passes until cleared.
    net.backward()
    np.testing.assert_allclose(net.params['ip'][0].diff, 2 * dw, rtol=1e-5, atol=1e-7)


def test_forward_returns_copies_and_extra_blobs(write):
    net = make_linear_net(write)
    out = net.forward(blobs=['ip'])
    assert set(out) == {'loss', 'ip'}
    out['ip'][...] = 1e6
    assert not np.shares_memory(out['ip'], net.blobs['ip'].data)
    assert net.blobs['ip'].data.max() < 1e6


def test_forward_start_end(write):
    net = make_linear_net(write)
    net.forward()
    net.params['ip'][0].data[...] = 0
    out = net.forward(start='ip', end='ip')
    assert set(out) == {'ip'} and not out['ip'].any()
    with pytest.raises(caffe.ConfigError):
        net.forward(start='no_such_layer')


def test_backward_with_output_diffs_and_end(write):
    net = make_linear_net(write)
    net.forward()
    diffs = net.backward(end='loss', diffs=['target'], loss=np.array([2.0]).reshape(()))
    assert set(diffs) == {'ip', 'target'}
    x = net.blobs['ip'].data - net.blobs['target'].data
    np.testing.assert_allclose(diffs['ip'], 2 * x / 4, rtol=1e-5)
    with pytest.raises(caffe.ConfigError):
        net.backward(ip=np.zeros((4, 2)))  # not an output


def test_phase_is_passed_to_layers(write):
    text = python_layer('phase', 'pylayers', 'PhaseLayer', tops=('phase',))
    path = write('phase.prototxt', text)
    for phase in (caffe.TRAIN, caffe.TEST):
        net = caffe.Net(path, phase)
        assert net.layers[0].phase == phase
        assert net.forward()['phase'] == int(phase)
    assert caffe.Net(path, phase=caffe.TEST).forward()['phase'] == 1
    assert caffe.Net(path, 0).forward()['phase'] == 0


def test_param_str_reaches_the_layer(write):
    net = make_linear_net(write, n=5, d=7, k=3)
    assert net.layers[0].param_str == '{"n": 5, "d": 7, "k": 3, "seed": 0}'
    assert net.blobs['data'].shape == (5, 7) and net.blobs['ip'].shape == (5, 3)


def test_stages_and_level_filter_layers(write):
    text = (python_layer('train_only', 'pylayers', 'PhaseLayer', tops=('a',),
                         extra='include { stage: "deploy" }')
            + python_layer('deep', 'pylayers', 'PhaseLayer', tops=('b',),
                           extra='include { min_level: 2 }'))
    path = write('stages.prototxt', text)
    assert caffe.Net(path, caffe.TEST).outputs == []
    assert caffe.Net(path, caffe.TEST, stages=['deploy']).outputs == ['a']
    assert caffe.Net(path, caffe.TEST, level=2).outputs == ['b']
    assert caffe.Net(path, caffe.TEST, 3, ['deploy']).outputs == ['a', 'b']


@pytest.mark.parametrize('method', ['setup', 'reshape', 'forward', 'backward'])
def test_exceptions_come_back_unchanged(write, method):
    text = (python_layer('data', 'pylayers', 'FixedDataLayer', tops=('data', 'target'),
                         param_str='{"n": 4, "d": 3, "k": 2}')
            + python_layer('ip', 'pylayers', 'LinearLayer', bottoms=('data',), tops=('ip',),
                           param_str='{"k": 2}')
            + python_layer('boom', 'pylayers', 'RaisingLayer', bottoms=('ip',), tops=('boom',),
                           param_str=method)
            + python_layer('loss', 'pylayers', 'EuclideanLossLayer', bottoms=('boom', 'target'),
                           tops=('loss',), extra='loss_weight: 1'))
    path = write('boom.prototxt', text)
    with pytest.raises(ValueError) as info:
        net = caffe.Net(path, caffe.TRAIN)
        net.forward()
        net.backward()
    assert 'RaisingLayer was told to fail in %s' % method in str(info.value)
    assert not isinstance(info.value, caffe.CaffeError)


def test_missing_module_or_class(write):
    text = python_layer('x', 'no_such_module_anywhere', 'Layer', tops=('x',))
    with pytest.raises(ModuleNotFoundError):
        caffe.Net(write('a.prototxt', text), caffe.TEST)
    text = python_layer('x', 'pylayers', 'NoSuchClass', tops=('x',))
    with pytest.raises(AttributeError):
        caffe.Net(write('b.prototxt', text), caffe.TEST)
    text = 'layer { name: "x" type: "Python" top: "x" }\n'
    with pytest.raises(caffe.ConfigError):
        caffe.Net(write('c.prototxt', text), caffe.TEST)


def test_layer_errors_from_blob_calls(write):
    """A caffe error raised inside a layer (here a bad top shape) reaches
    the caller as that caffe error."""
    net = make_linear_net(write)
    with pytest.raises(caffe.ShapeError):
        net.blobs['target'].reshape(4, 5)
        net.forward(start='loss')


def test_nets_run_in_parallel_threads(write):
    """forward/backward release the GIL and Python layers take it back, so
    Python threads driving separate nets neither deadlock nor interfere."""
    path = write('linear.prototxt', linear_net(n=16, d=32, k=8))
    nets = [caffe.Net(path, caffe.TRAIN) for _ in range(4)]
    expected = nets[0].forward()['loss']
    results, errors = [], []

    def work(net):
        try:
            for _ in range(50):
                loss = net.forward()['loss']
                net.backward()
            results.append(loss)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(net,)) for net in nets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(results) == 4
    np.testing.assert_allclose(results, expected, rtol=1e-6)


def test_reshape_follows_inputs(write):
    text = (python_layer('data', 'pylayers', 'FixedDataLayer', tops=('data', 'target'),
                         param_str='{"n": 3, "d": 2, "k": 2}')
            + python_layer('double', 'pylayers', 'TimesTwoLayer', bottoms=('data',),
                           tops=('twice',)))
    net = caffe.Net(write('twice.prototxt', text), caffe.TEST)
    out = net.forward()
    np.testing.assert_allclose(out['twice'], 2 * net.blobs['data'].data)
    # Layers reshape their tops before every forward.
    net.blobs['data'].reshape(5, 2)
    net.blobs['data'].data[...] = 1
    out = net.forward(start='double')
    assert net.blobs['twice'].shape == (5, 2)
    np.testing.assert_allclose(out['twice'], 2 * np.ones((5, 2)))
    # net.reshape() runs every layer's reshape: the data layer restores its shape.
    net.reshape()
    assert net.blobs['data'].shape == (3, 2) and net.blobs['twice'].shape == (3, 2)
