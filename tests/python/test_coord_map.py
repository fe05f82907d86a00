"""caffe.coord_map: coordinate maps through conv/pool/deconv/crop layers and
the crop() helper, checked against hand-derived offsets."""
import numpy as np
import pytest

import caffe
from caffe import layers as L, params as P
from caffe.coord_map import (AxisMismatchException, compose, coord_map, coord_map_from_to, crop,
                             inverse)


def fcn(kernel=3, stride=1, pad=0, pool=2, up=2, up_pad=0):
    n = caffe.NetSpec()
    n.data = L.Input(shape=dict(dim=[1, 1, 64, 64]))
    n.conv = L.Convolution(n.data, num_output=2, kernel_size=kernel, stride=stride, pad=pad)
    n.pool = L.Pooling(n.conv, pool=P.Pooling.MAX, kernel_size=pool, stride=pool)
    n.up = L.Deconvolution(n.pool, convolution_param=dict(
        num_output=2, kernel_size=2 * up, stride=up, pad=up_pad))
    return n


def test_single_layer_maps():
    n = fcn(kernel=5, stride=2, pad=1)
    axis, a, b = coord_map(n.conv.fn)
    assert axis == 1
    np.testing.assert_allclose(a, [0.5])
    np.testing.assert_allclose(b, [(1 - 2) / 2.0])   # (pad - (k - 1) / 2) / stride
    axis, a, b = coord_map(n.up.fn)
    np.testing.assert_allclose(a, [2])
    np.testing.assert_allclose(b, [1.5])            # (k - 1) / 2 - pad


def test_compose_and_inverse_are_consistent():
    m = (1, np.array([2.0]), np.array([3.0]))
    axis, a, b = compose(m, inverse(m))
    np.testing.assert_allclose(a, 1)
    np.testing.assert_allclose(b, 0)
    with pytest.raises(AxisMismatchException):
        compose((1, 1, 0), (2, 1, 0))


def test_upsampled_output_aligns_with_input():
    n = fcn()
    axis, a, b = coord_map_from_to(n.up, n.data)
    assert axis == 1
    np.testing.assert_allclose(a, 1)
    np.testing.assert_allclose(b, 0)
    n = fcn(pool=4, up=4)
    np.testing.assert_allclose(coord_map_from_to(n.up, n.data)[2], -1)
    # Padding the convolution shifts by -pad, padding the deconvolution by +pad.
    for n, shift in ((fcn(pad=3), -3), (fcn(up_pad=3), 3), (fcn(pad=3, up_pad=3), 0)):
        np.testing.assert_allclose(coord_map_from_to(n.up, n.data)[2], shift)


def test_pass_through_and_crop_layers():
    n = fcn()
    n.relu = L.ReLU(n.up)
    np.testing.assert_allclose(coord_map_from_to(n.relu, n.data)[2], 0)
    n = fcn(pad=4)
    n.crop = crop(n.up, n.data)
    layer = n.to_proto().layer[-1]
    assert layer.type == 'Crop'
    assert (layer.crop_param.axis, list(layer.crop_param.offset)) == (2, [4])
    np.testing.assert_allclose(coord_map_from_to(n.crop, n.data)[2], 0)


def test_crop_refuses_impossible_alignments():
    n = fcn(pool=3, up=2)
    with pytest.raises(AssertionError):
        crop(n.up, n.data)                       # different scales
    n = fcn(up_pad=5)
    with pytest.raises(AssertionError):
        crop(n.up, n.data)                       # output smaller than input
    n = fcn()
    n.ip = L.InnerProduct(n.up, num_output=3)
    with pytest.raises(RuntimeError):
        coord_map_from_to(n.ip, n.data)


def test_cropped_net_builds_with_matching_shapes(write):
    n = fcn(pad=4)
    n.crop = crop(n.up, n.data)
    net = caffe.Net(write('fcn.prototxt', str(n.to_proto())), caffe.TEST)
    assert net.blobs['crop'].data.shape[2:] == net.blobs['data'].data.shape[2:]
