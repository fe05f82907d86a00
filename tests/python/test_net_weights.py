"""Saving and loading weights: net.save, net.copy_from, the weights
argument of caffe.Net, share_with and the upstream-compatible file format."""
import numpy as np
import pytest

import caffe
from caffe.proto import caffe_pb2
from conftest import linear_net


@pytest.fixture
def net_path(write):
    return write('linear.prototxt', linear_net(n=4, d=3, k=2))


def test_save_then_load_in_every_form(net_path, tmp_path):
    net = caffe.Net(net_path, caffe.TRAIN)
    weights = np.arange(6, dtype=np.float32).reshape(2, 3)
    net.params['ip'][0].data[...] = weights
    model = str(tmp_path / 'model.caffemodel')
    net.save(model)

    proto = caffe_pb2.NetParameter()
    with open(model, 'rb') as handle:
        proto.ParseFromString(handle.read())
    layer = [l for l in proto.layer if l.name == 'ip'][0]
    np.testing.assert_array_equal(caffe.io.blobproto_to_array(layer.blobs[0]), weights)

    for loaded in (caffe.Net(net_path, caffe.TEST, weights=model),
                   caffe.Net(net_path, model, caffe.TEST),
                   caffe.Net(net_path, phase=caffe.TEST, weights=[model])):
        np.testing.assert_array_equal(loaded.params['ip'][0].data, weights)

    other = caffe.Net(net_path, caffe.TEST)
    other.copy_from(model)
    np.testing.assert_array_equal(other.params['ip'][0].data, weights)


def test_copy_from_checks_shapes(write, tmp_path):
    small = caffe.Net(write('small.prototxt', linear_net(k=2)), caffe.TEST)
    model = str(tmp_path / 'small.caffemodel')
    small.save(model)
    big = caffe.Net(write('big.prototxt', linear_net(k=5)), caffe.TEST)
    with pytest.raises(caffe.ShapeError) as info:
        big.copy_from(model)
    assert 'ip' in str(info.value)


def test_share_with(net_path):
    first = caffe.Net(net_path, caffe.TRAIN)
    second = caffe.Net(net_path, caffe.TEST)
    second.share_with(first)
    first.params['ip'][0].data[...] = 3
    np.testing.assert_array_equal(second.params['ip'][0].data, 3)
    assert second.forward()['loss'] == pytest.approx(float(first.forward()['loss']))


def test_to_proto_holds_structure_and_weights(net_path):
    net = caffe.Net(net_path, caffe.TRAIN)
    proto = net.to_proto()
    assert [l.name for l in proto.layer] == ['data', 'ip', 'loss']
    assert proto.layer[1].python_param.layer == 'LinearLayer'
    np.testing.assert_array_equal(caffe.io.blobproto_to_array(proto.layer[1].blobs[0]),
                                  net.params['ip'][0].data)


def test_params_blobs_are_live(net_path):
    net = caffe.Net(net_path, caffe.TRAIN)
    weight = net.params['ip'][0]
    weight.data[...] = 0
    assert not net.layers[1].blobs[0].data.any()
    assert not net.forward(blobs=['ip'])['ip'].any()


def test_paths_may_be_pathlib(tmp_path, write):
    net_path = tmp_path / 'linear.prototxt'
    net_path.write_text(linear_net())
    net = caffe.Net(net_path, caffe.TRAIN)
    model = tmp_path / 'model.caffemodel'
    net.save(model)
    for loaded in (caffe.Net(net_path, model, caffe.TEST),
                   caffe.Net(net_path, caffe.TEST, weights=[model])):
        np.testing.assert_array_equal(loaded.params['ip'][0].data, net.params['ip'][0].data)
    loaded.copy_from(model)
