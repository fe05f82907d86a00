"""Module-level pycaffe surface: phases, seeds, registries, version."""
import numpy as np

import caffe
from caffe.proto import caffe_pb2
from conftest import requires_layers

NET = '''layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 } } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 4 weight_filler { type: "gaussian" std: 1 } } }
'''


def test_phases_match_the_proto_enum():
    assert caffe.TRAIN == caffe_pb2.TRAIN == 0
    assert caffe.TEST == caffe_pb2.TEST == 1
    assert caffe.Phase.TRAIN is caffe.TRAIN


def test_registries_and_version():
    assert 'Python' in caffe.layer_type_list()
    assert 'SGD' in caffe.solver_type_list()
    assert caffe.__version__


@requires_layers('Input', 'InnerProduct')
def test_set_random_seed_makes_fillers_repeatable(write):
    path = write('seeded.prototxt', NET)
    caffe.set_random_seed(1701)
    first = caffe.Net(path, caffe.TEST).params['ip'][0].data.copy()
    second = caffe.Net(path, caffe.TEST).params['ip'][0].data.copy()
    caffe.set_random_seed(1701)
    again = caffe.Net(path, caffe.TEST).params['ip'][0].data.copy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


@requires_layers('Input', 'InnerProduct')
def test_accessors_are_stable_and_live(write):
    net = caffe.Net(write('net.prototxt', NET), caffe.TEST)
    assert net.blobs is net.blobs  # built once per net
    assert net.inputs == ['data'] and net.outputs == ['ip']
    assert [layer.type for layer in net.layers] == ['Input', 'InnerProduct']
    assert net.layers[1].name == 'ip' and len(net.layers[1].blobs) == 2
    net.blobs['data'].data[...] = 1
    weight, bias = net.params['ip']
    out = net.forward()['ip']
    np.testing.assert_allclose(out, np.tile(weight.data.sum(axis=1) + bias.data, (2, 1)),
                               rtol=1e-5)
