"""Coordinate mapping between the spatial axes of NetSpec tops, as upstream
pycaffe's caffe.coord_map: how a position in one top corresponds to a
position in another, through convolution, pooling, deconvolution, crop and
element-wise layers. `crop(top_from, top_to)` uses it to build the Crop layer
that aligns a (usually upsampled) top with a reference top, as fully
convolutional nets do.

A map is a triple (axis, a, b): the first spatial axis it applies to (None
when a layer keeps whatever axis the others use) and per-axis arrays a, b
with   position_in_bottom = a * position_in_top + b.
"""
from collections import deque

import numpy as np

from .net_spec import layers as L

# Layers that keep every spatial position where it is.
PASS_THROUGH_LAYERS = ['AbsVal', 'BatchNorm', 'Bias', 'BNLL', 'Dropout', 'Eltwise', 'ELU', 'Log',
                       'LRN', 'Exp', 'MVN', 'Power', 'ReLU', 'PReLU', 'Scale', 'Sigmoid', 'Split',
                       'TanH', 'Threshold']


class UndefinedMapException(Exception):
    """The layer has no spatial coordinate map (e.g. InnerProduct)."""


class AxisMismatchException(Exception):
    """Two maps apply to different axes and cannot be composed."""


def _as_array(value):
    return np.array(value, ndmin=1)


def conv_params(fn):
    """(axis, stride, effective kernel extent, pad) of a Convolution,
    Deconvolution, Pooling or Im2col function, each per spatial axis."""
    params = fn.params.get('convolution_param', fn.params)
    legacy = {'pad_h', 'pad_w', 'kernel_h', 'kernel_w', 'stride_h', 'stride_w'}
    if legacy & set(fn.params):
        raise AssertionError('coordinate mapping does not support the legacy _h/_w '
                             'parameters of layer type %s' % fn.type_name)
    kernel = _as_array(params['kernel_size'])
    dilation = _as_array(params.get('dilation', 1))
    extent = (kernel - 1) * dilation + 1
    return (params.get('axis', 1), _as_array(params.get('stride', 1)), extent,
            _as_array(params.get('pad', 0)))


def crop_params(fn):
    """(axis, offsets) of a Crop function."""
    params = fn.params.get('crop_param', fn.params)
    return params.get('axis', 2), _as_array(params.get('offset', 0))


def coord_map(fn):
    """The map from fn's top coordinates to its bottom coordinates."""
    kind = fn.type_name
    if kind in ('Convolution', 'Pooling', 'Im2col'):
        axis, stride, extent, pad = conv_params(fn)
        # Top position p covers bottom positions p*stride - pad .. +extent-1;
        # its centre is the mapped point.
        return axis, 1 / stride, (pad - (extent - 1) / 2) / stride
    if kind == 'Deconvolution':
        axis, stride, extent, pad = conv_params(fn)
        return axis, stride, (extent - 1) / 2 - pad
    if kind in PASS_THROUGH_LAYERS:
        return None, 1, 0
    if kind == 'Crop':
        axis, offset = crop_params(fn)
        # Crop counts axes from N; maps name the first spatial axis after C.
        return axis - 1, 1, -offset
    raise UndefinedMapException('no coordinate map for layer type %s' % kind)


def compose(base_map, next_map):
    """The map that applies `next_map` and then `base_map`."""
    axis1, a1, b1 = base_map
    axis2, a2, b2 = next_map
    if axis1 is None:
        axis = axis2
    elif axis2 is None or axis1 == axis2:
        axis = axis1
    else:
        raise AxisMismatchException('maps on axis %s and axis %s do not compose'
                                    % (axis1, axis2))
    return axis, a1 * a2, a1 * b2 + b1


def inverse(coord_map):
    """The map that undoes `coord_map`."""
    axis, a, b = coord_map
    return axis, 1 / a, -b / a


def _mappable_bottoms(top):
    # A Crop layer's second bottom only gives the output size: positions
    # flow through its first bottom alone.
    bottoms = top.fn.inputs
    return bottoms[:1] if top.fn.type_name == 'Crop' else bottoms


def _ancestor_maps(top):
    """{ancestor top: map from `top` to that ancestor}, walking bottoms
    through layers that have a map (including `top` itself)."""
    maps = {top: (None, 1, 0)}
    pending = deque([top])
    while pending:
        current = pending.popleft()
        try:
            step = coord_map(current.fn)
        except UndefinedMapException:
            continue
        for bottom in _mappable_bottoms(current):
            if bottom not in maps:
                maps[bottom] = compose(maps[current], step)
                pending.append(bottom)
    return maps


def coord_map_from_to(top_from, top_to):
    """The map (axis, a, b) taking coordinates of `top_from` to coordinates
    of `top_to`, through their nearest common ancestor. RuntimeError when the
    two are not connected through layers with coordinate maps."""
    from_maps = _ancestor_maps(top_from)
    to_map = {top_to: (None, 1, 0)}
    pending = deque([top_to])
    while pending:
        current = pending.popleft()
        if current in from_maps:
            return compose(to_map[current], inverse(from_maps[current]))
        try:
            step = coord_map(current.fn)
        except UndefinedMapException:
            continue
        for bottom in _mappable_bottoms(current):
            if bottom not in to_map:
                to_map[bottom] = compose(to_map[current], step)
                pending.append(bottom)
    raise RuntimeError('cannot map coordinates between these tops: they are not connected '
                       'through spatial layers (convolution, pooling, crop, element-wise)')


def crop(top_from, top_to):
    """A Crop layer (NetSpec function) that crops `top_from` to the spatial
    extent of `top_to`, aligned by their coordinate map. AssertionError when
    the scales differ or the offset would be negative or fractional."""
    axis, a, b = coord_map_from_to(top_from, top_to)
    assert (a == 1).all(), 'scale mismatch on crop (a = %s)' % (a,)
    assert (b <= 0).all(), 'cannot crop a negative offset (b = %s)' % (b,)
    assert (np.round(b) == b).all(), 'cannot crop a fractional offset (b = %s)' % (b,)
    offsets = [int(v) for v in -np.round(b).astype(int)]
    return L.Crop(top_from, top_to, crop_param=dict(axis=axis + 1, offset=offsets))
