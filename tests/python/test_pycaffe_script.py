"""A pycaffe session as users write it - load a net and its weights, set
inputs, forward, read blobs, backward, read diffs, step a solver - checked
number by number against independent numpy math of the same layers."""
import numpy as np
import pytest

import caffe
from conftest import python_layer, requires_layers

pytestmark = requires_layers('Input', 'Convolution', 'ReLU', 'InnerProduct', 'SoftmaxWithLoss',
                             'Split')

NET = '''name: "small"
force_backward: true
layer { name: "data" type: "Input" top: "data" top: "label"
  input_param { shape { dim: 4 dim: 2 dim: 3 dim: 3 } shape { dim: 4 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 3 kernel_size: 2 weight_filler { type: "xavier" }
                      bias_filler { type: "constant" value: 0.1 } } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip"
  inner_product_param { num_output: 5 weight_filler { type: "xavier" }
                        bias_filler { type: "constant" value: -0.2 } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
'''

SOLVER = '''net: "{net}"
base_lr: 0.05
lr_policy: "fixed"
momentum: 0.9
weight_decay: 0.004
max_iter: 10
display: 0
snapshot_after_train: false
'''


def conv_forward(x, w, b):
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.empty((n, o, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_backward(x, w, dout):
    dw = np.zeros_like(w)
    dx = np.zeros_like(x)
    _, _, kh, kw = w.shape
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            patch = x[:, :, i:i + kh, j:j + kw]
            dw += np.tensordot(dout[:, :, i, j], patch, axes=([0], [0]))
            dx[:, :, i:i + kh, j:j + kw] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dw, dout.sum(axis=(0, 2, 3)), dx


def numpy_net(x, labels, p):
    """Forward and backward of NET in float64."""
    conv = conv_forward(x, p['conv'][0], p['conv'][1])
    relu = np.maximum(conv, 0)
    flat = relu.reshape(len(x), -1)
    ip = flat.dot(p['ip'][0].T) + p['ip'][1]
    shifted = ip - ip.max(axis=1, keepdims=True)
    prob = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(x)
    loss = -np.log(prob[np.arange(n), labels]).mean()
    dip = prob.copy()
    dip[np.arange(n), labels] -= 1
    dip /= n
    grads = {'ip': [dip.T.dot(flat), dip.sum(axis=0)]}
    drelu = dip.dot(p['ip'][0]).reshape(relu.shape) * (conv > 0)
    dw, db, dx = conv_backward(x, p['conv'][0], drelu)
    grads['conv'] = [dw, db]
    return {'conv': relu, 'ip': ip, 'loss': loss, 'data_diff': dx}, grads


@pytest.fixture
def files(write, tmp_path):
    net = write('small.prototxt', NET)
    solver = write('solver.prototxt', SOLVER.format(net=net))
    rng = np.random.RandomState(42)
    trained = caffe.Net(net, caffe.TRAIN)
    for blobs in trained.params.values():
        for blob in blobs:
            blob.data[...] = rng.randn(*blob.shape) * 0.5
    weights = str(tmp_path / 'small.caffemodel')
    trained.save(weights)
    inputs = {'data': rng.randn(4, 2, 3, 3).astype(np.float32),
              'label': np.array([0, 3, 1, 4], dtype=np.float32)}
    return net, solver, weights, inputs


def params_of(net):
    return {name: [b.data.astype(np.float64).copy() for b in blobs]
            for name, blobs in net.params.items()}


def test_forward_backward_match_numpy(files):
    net_path, _, weights, inputs = files
    caffe.set_mode_cpu()
    net = caffe.Net(net_path, caffe.TRAIN, weights=weights)
    assert list(net.params) == ['conv', 'ip']
    assert [b.shape for b in net.params['conv']] == [(3, 2, 2, 2), (3,)]
    assert net.inputs == ['data', 'label'] and net.outputs == ['loss']

    out = net.forward(**inputs)
    expected, grads = numpy_net(inputs['data'].astype(np.float64),
                                inputs['label'].astype(int), params_of(net))
    np.testing.assert_allclose(out['loss'], expected['loss'], rtol=1e-5)
    np.testing.assert_allclose(net.blobs['conv'].data, expected['conv'], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net.blobs['ip'].data, expected['ip'], rtol=1e-5, atol=1e-6)

    diffs = net.backward()
    np.testing.assert_allclose(diffs['data'], expected['data_diff'], rtol=1e-4, atol=1e-6)
    for name in ('conv', 'ip'):
        for blob, grad in zip(net.params[name], grads[name]):
            np.testing.assert_allclose(blob.diff, grad, rtol=1e-4, atol=1e-6)


def test_solver_step_matches_numpy_sgd(files):
    net_path, solver_path, weights, inputs = files
    solver = caffe.SGDSolver(solver_path)
    solver.net.copy_from(weights)
    for name, value in inputs.items():
        solver.net.blobs[name].data[...] = value
    params = params_of(solver.net)
    history = {name: [np.zeros_like(p) for p in blobs] for name, blobs in params.items()}
    for _ in range(3):
        _, grads = numpy_net(inputs['data'].astype(np.float64), inputs['label'].astype(int),
                             params)
        for name in params:
            for i, (w, g) in enumerate(zip(params[name], grads[name])):
                history[name][i] = 0.9 * history[name][i] + 0.05 * (g + 0.004 * w)
                params[name][i] = w - history[name][i]
        solver.step(1)
    assert solver.iter == 3
    for name in params:
        for blob, expected in zip(solver.net.params[name], params[name]):
            np.testing.assert_allclose(blob.data, expected, rtol=1e-4, atol=1e-6)


def test_forward_all_batches_any_number_of_items(files):
    net_path, _, weights, _ = files
    net = caffe.Net(net_path, weights, caffe.TEST)
    rng = np.random.RandomState(7)
    data = rng.randn(10, 2, 3, 3).astype(np.float32)
    labels = rng.randint(5, size=10).astype(np.float32)
    out = net.forward_all(blobs=['ip'], data=data, label=labels)
    assert out['ip'].shape == (10, 5) and out['loss'].shape == (3,)
    expected, _ = numpy_net(data.astype(np.float64), labels.astype(int), params_of(net))
    np.testing.assert_allclose(out['ip'], expected['ip'], rtol=1e-5, atol=1e-6)
    with pytest.raises(caffe.ShapeError):
        net.forward(data=data[:3], label=labels[:3])
    with pytest.raises(caffe.ConfigError):
        net.forward(data=data[:4])


def test_python_layer_between_cpp_layers(write, files):
    """A Python layer inside a C++ net takes part in forward and backward."""
    _, _, weights, inputs = files
    text = NET.replace('bottom: "conv" top: "ip"', 'bottom: "twice" top: "ip"').replace(
        'layer { name: "ip"',
        python_layer('double', 'pylayers', 'TimesTwoLayer', bottoms=('conv',), tops=('twice',))
        + 'layer { name: "ip"')
    net = caffe.Net(write('with_python.prototxt', text), caffe.TRAIN, weights=weights)
    params = params_of(net)
    params['ip'][0] = params['ip'][0] * 2  # the Python layer doubles ip's input
    out = net.forward(**inputs)
    expected, grads = numpy_net(inputs['data'].astype(np.float64),
                                inputs['label'].astype(int), params)
    np.testing.assert_allclose(out['loss'], expected['loss'], rtol=1e-5)
    net.backward()
    for blob, grad in zip(net.params['conv'], grads['conv']):
        np.testing.assert_allclose(blob.diff, grad, rtol=1e-4, atol=1e-6)


def test_bad_shapes_never_abort(files):
    net_path, _, weights, inputs = files
    net = caffe.Net(net_path, caffe.TRAIN, weights=weights)
    with pytest.raises(caffe.ShapeError):
        net.blobs['data'].data = np.zeros((3, 2, 3, 3))
    net.blobs['data'].reshape(4, 5, 3, 3)  # the convolution expects 2 channels
    with pytest.raises(caffe.CaffeError):
        net.forward()
    net.blobs['data'].reshape(4, 2, 3, 3)
    out = net.forward(**inputs)
    assert np.isfinite(out['loss'])


def test_forward_backward_all(files):
    net_path, _, weights, _ = files
    net = caffe.Net(net_path, caffe.TRAIN, weights=weights)
    rng = np.random.RandomState(9)
    data = rng.randn(8, 2, 3, 3).astype(np.float32)
    labels = rng.randint(5, size=8).astype(np.float32)
    forward, backward = net.forward_backward_all(data=data, label=labels)
    assert forward['loss'].shape == (2,) and backward['data'].shape == (8, 2, 3, 3)
    for batch in range(2):
        items = slice(4 * batch, 4 * batch + 4)
        expected, _ = numpy_net(data[items].astype(np.float64), labels[items].astype(int),
                                params_of(net))
        np.testing.assert_allclose(forward['loss'][batch], expected['loss'], rtol=1e-5)
        np.testing.assert_allclose(backward['data'][items], expected['data_diff'],
                                   rtol=1e-4, atol=1e-6)
