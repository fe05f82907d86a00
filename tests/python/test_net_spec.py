"""caffe.net_spec: NetSpec, L and P write the prototxt a user would."""
import numpy as np
import pytest
from google.protobuf import text_format

import caffe
from caffe import layers as L, params as P


def lenet_like():
    n = caffe.NetSpec()
    n.data, n.label = L.Input(shape=[dict(dim=[8, 1, 6, 6]), dict(dim=[8])], ntop=2)
    n.conv1 = L.Convolution(n.data, kernel_size=3, num_output=4,
                            weight_filler=dict(type='xavier'), param=[dict(lr_mult=1),
                                                                      dict(lr_mult=2)])
    n.pool1 = L.Pooling(n.conv1, kernel_size=2, stride=2, pool=P.Pooling.MAX)
    n.relu1 = L.ReLU(n.pool1, in_place=True)
    n.ip = L.InnerProduct(n.relu1, num_output=3)
    n.loss = L.SoftmaxWithLoss(n.ip, n.label)
    n.acc = L.Accuracy(n.ip, n.label, include=dict(phase=caffe.TEST))
    return n.to_proto()


def test_layers_and_params():
    proto = lenet_like()
    names = [layer.name for layer in proto.layer]
    assert names == ['data', 'conv1', 'pool1', 'relu1', 'ip', 'loss', 'acc']
    data, conv, pool, relu = proto.layer[:4]
    assert list(data.top) == ['data', 'label']
    assert [list(s.dim) for s in data.input_param.shape] == [[8, 1, 6, 6], [8]]
    assert conv.convolution_param.num_output == 4
    assert list(conv.convolution_param.kernel_size) == [3]
    assert conv.convolution_param.weight_filler.type == 'xavier'
    assert [p.lr_mult for p in conv.param] == [1, 2]
    assert pool.pooling_param.pool == caffe.proto.caffe_pb2.PoolingParameter.MAX
    assert list(relu.bottom) == ['pool1'] and list(relu.top) == ['pool1']
    assert list(proto.layer[4].bottom) == ['pool1']
    assert proto.layer[6].include[0].phase == caffe.TEST


def test_text_round_trip():
    proto = lenet_like()
    text = str(proto)
    parsed = text_format.Parse(text, caffe.proto.caffe_pb2.NetParameter())
    assert parsed == proto


def test_auto_names_and_python_layers(tmp_path):
    data = L.Python(ntop=2, python_param=dict(
        module='pylayers', layer='FixedDataLayer', param_str='{"n": 2, "d": 3, "k": 3}'))
    doubled = L.Python(data[0], python_param=dict(module='pylayers', layer='TimesTwoLayer'))
    proto = caffe.to_proto(doubled)
    # Every top gets a number, so the second layer's top is the third.
    assert [l.name for l in proto.layer] == ['Python1', 'Python3']
    assert list(proto.layer[0].top) == ['Python1', 'Python2']
    assert list(proto.layer[1].bottom) == ['Python1']
    path = tmp_path / 'spec.prototxt'
    path.write_text(str(proto))
    net = caffe.Net(str(path), caffe.TEST)
    out = net.forward()
    np.testing.assert_allclose(out['Python3'], 2 * net.blobs['Python1'].data)


def test_explicit_names_and_loss_weight():
    n = caffe.NetSpec()
    n.x = L.DummyData(shape=dict(dim=[2, 3]), name='source')
    n.y = L.Power(n.x, power=2, loss_weight=0.5)
    proto = n.to_proto()
    assert proto.layer[0].name == 'source'
    assert list(proto.layer[0].dummy_data_param.shape[0].dim) == [2, 3]
    assert proto.layer[1].power_param.power == 2
    assert list(proto.layer[1].loss_weight) == [0.5]


def test_non_top_input_is_a_type_error_in_upstreams_words():
    pair = caffe.layers.DummyData(ntop=2)
    with pytest.raises(TypeError, match=r"^Silence input 0 is not a Top \(type is <class 'tuple'>\)$"):
        caffe.layers.Silence(pair, ntop=0)
    caffe.layers.Silence(*pair, ntop=0)
