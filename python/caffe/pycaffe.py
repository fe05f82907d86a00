"""The Pythonic half of pycaffe: what `caffe.Net`, `caffe.Blob` and the
solvers offer beyond the C++ bindings in caffe._caffe, and `caffe.Layer`, the
base class of Python layers.

Net accessors return OrderedDicts in the net's order: `net.blobs` (name ->
Blob), `net.params` (layer name -> list of parameter Blobs, for layers that
have any) and `net.layer_dict` (layer name -> layer).
"""
import itertools
from collections import OrderedDict

import numpy as np

from . import _caffe
from ._caffe import (AdaDeltaSolver, AdaGradSolver, AdamSolver, Blob, Net,
                     NesterovSolver, RMSPropSolver, SGDSolver, Solver)
from .errors import ConfigError, ShapeError


class Layer:
    """Base class of Python layers (`type: "Python"` in a prototxt).

    The engine creates the object without arguments and then sets:
      param_str  the layer's python_param.param_str (a str, often JSON)
      phase      caffe.TRAIN or caffe.TEST
      blobs      the layer's parameter blobs; blobs.add_blob(*shape) in
                 setup() creates a learnable parameter
    and calls setup/reshape/forward/backward with lists of caffe.Blob.
    reshape() runs before every forward(), so tops may follow the bottoms.
    """

    type = 'Python'

    def setup(self, bottom, top):
        """Checks parameters and bottoms once, before the first reshape."""

    def reshape(self, bottom, top):
        """Shapes the tops from the bottoms (top[i].reshape(*dims))."""

    def forward(self, bottom, top):
        raise NotImplementedError(
            '%s must define forward(self, bottom, top)' % type(self).__name__)

    def backward(self, top, propagate_down, bottom):
        """Writes bottom[i].diff for the bottoms whose propagate_down[i] is True."""


# ------------------------------------------------------------------- Blob ---

def _assign(view, value, what):
    try:
        view[...] = value
    except ValueError as error:
        raise ShapeError('cannot assign an array of shape %s to blob %s of shape %s'
                         % (np.shape(value), what, view.shape)) from error


Blob.data = property(lambda self: self._data,
                     lambda self, value: _assign(self._data, value, 'data'),
                     doc='The blob\'s values as a writable float32 numpy view.')
Blob.diff = property(lambda self: self._diff,
                     lambda self, value: _assign(self._diff, value, 'diff'),
                     doc='The blob\'s gradient as a writable float32 numpy view.')


# -------------------------------------------------------------------- Net ---

def _cached(name, build):
    """A property computed once per net (the net's structure never changes)."""
    def getter(self):
        cache = self.__dict__.setdefault('_pycaffe_cache', {})
        if name not in cache:
            cache[name] = build(self)
        return cache[name]
    return property(getter)


def _net_blobs(self):
    return OrderedDict(zip(self._blob_names, self._blobs))


def _net_blob_loss_weights(self):
    return OrderedDict(zip(self._blob_names, self._blob_loss_weights))


def _net_layer_dict(self):
    return OrderedDict(zip(self._layer_names, self.layers))


def _net_params(self):
    params = OrderedDict()
    for name, layer in zip(self._layer_names, self.layers):
        blobs = list(layer.blobs)
        if blobs:
            params[name] = blobs
    return params


def _net_inputs(self):
    return [self._blob_names[i] for i in self._inputs]


def _net_outputs(self):
    return [self._blob_names[i] for i in self._outputs]


def _net_top_names(self):
    return OrderedDict((name, self._top_names(i)) for i, name in enumerate(self._layer_names))


def _net_bottom_names(self):
    return OrderedDict((name, self._bottom_names(i)) for i, name in enumerate(self._layer_names))


def _layer_index(net, name):
    try:
        return list(net._layer_names).index(name)
    except ValueError:
        raise ConfigError('net %r has no layer named %r' % (net.name, name)) from None


def _set_blobs(net, arrays, expected, field):
    """Copies keyword arrays into the named blobs' data or diff."""
    if set(arrays) != set(expected):
        raise ConfigError('arguments %s do not match the net\'s %s %s'
                          % (sorted(arrays), 'inputs' if field == 'data' else 'outputs',
                             sorted(expected)))
    for name, value in arrays.items():
        blob = net.blobs[name]
        value = np.asarray(value)
        if blob.shape and (value.ndim == 0 or value.shape[0] != blob.shape[0]):
            raise ShapeError('%s for blob %r has shape %s, but the blob\'s batch size is %d'
                             % (field, name, value.shape, blob.shape[0]))
        _assign(getattr(blob, field), value, '%r %s' % (name, field))


def _net_forward(self, blobs=None, start=None, end=None, **kwargs):
    """Runs the forward pass, from layer `start` to layer `end` (names).

    Keyword arguments set the input blobs (all of them, batch-sized arrays).
    Returns {blob name: array copy} for the net's outputs (or the tops of
    `end`) plus the extra blobs named in `blobs`.
    """
    extra = list(blobs or [])
    start_index = 0 if start is None else _layer_index(self, start)
    if end is None:
        end_index = len(self.layers) - 1
        wanted = self.outputs + extra
    else:
        end_index = _layer_index(self, end)
        wanted = self.top_names[end] + extra
    if kwargs:
        _set_blobs(self, kwargs, self.inputs, 'data')
    self._forward(start_index, end_index)
    return {name: self.blobs[name].data.copy() for name in wanted}


def _net_backward(self, diffs=None, start=None, end=None, **kwargs):
    """Runs the backward pass, from layer `start` down to layer `end`.

    Keyword arguments set the output blobs' diffs. Returns {blob name: diff
    copy} for the net's inputs (or the bottoms of `end`) plus `diffs`.
    """
    extra = list(diffs or [])
    start_index = len(self.layers) - 1 if start is None else _layer_index(self, start)
    if end is None:
        end_index = 0
        wanted = self.inputs + extra
    else:
        end_index = _layer_index(self, end)
        wanted = self.bottom_names[end] + extra
    if kwargs:
        _set_blobs(self, kwargs, self.outputs, 'diff')
    self._backward(start_index, end_index)
    return {name: self.blobs[name].diff.copy() for name in wanted}


def _net_batch(self, arrays):
    """Splits equally long input arrays into batches of the net's batch size,
    zero-padding the last one. Yields dicts name -> batch array."""
    if not arrays:
        yield {}
        return
    lengths = {len(value) for value in arrays.values()}
    if len(lengths) != 1:
        raise ShapeError('input arrays have different lengths: %s'
                         % {name: len(value) for name, value in arrays.items()})
    total = lengths.pop()
    batch_size = self.blobs[next(iter(arrays))].shape[0]
    for begin in range(0, total, batch_size):
        batch = {}
        for name, value in arrays.items():
            chunk = np.asarray(value[begin:begin + batch_size])
            if len(chunk) < batch_size:
                padding = np.zeros((batch_size - len(chunk),) + chunk.shape[1:], chunk.dtype)
                chunk = np.concatenate([chunk, padding])
            batch[name] = chunk
        yield batch


def _gather(results, total):
    return {name: np.concatenate(parts)[:total] if parts and parts[0].ndim else np.asarray(parts)
            for name, parts in results.items()}


def _net_forward_all(self, blobs=None, **kwargs):
    """forward() over arrays of any length, batch by batch; returns the
    outputs (and `blobs`) for exactly the given items."""
    results = {}
    total = len(next(iter(kwargs.values()))) if kwargs else None
    for batch in self._batch(kwargs):
        for name, value in self.forward(blobs=blobs, **batch).items():
            results.setdefault(name, []).append(value)
    return _gather(results, total)


def _net_forward_backward_all(self, blobs=None, diffs=None, **kwargs):
    """forward() then backward() batch by batch. Keyword arguments name
    inputs (forward) and outputs (their diffs, backward). Returns
    (forward results, backward results) for the given items."""
    inputs = {name: value for name, value in kwargs.items() if name in self.inputs}
    output_diffs = {name: value for name, value in kwargs.items() if name in self.outputs}
    unknown = set(kwargs) - set(inputs) - set(output_diffs)
    if unknown:
        raise ConfigError('%s are neither inputs nor outputs of the net' % sorted(unknown))
    forward_results, backward_results = {}, {}
    total = len(next(iter(kwargs.values()))) if kwargs else None
    if inputs or output_diffs:
        # Whichever side has no arrays runs with {} alongside every batch.
        batches = zip(self._batch(inputs) if inputs else itertools.repeat({}),
                      self._batch(output_diffs) if output_diffs else itertools.repeat({}))
    else:
        batches = [({}, {})]
    for in_batch, diff_batch in batches:
        for name, value in self.forward(blobs=blobs, **in_batch).items():
            forward_results.setdefault(name, []).append(value)
        for name, value in self.backward(diffs=diffs, **diff_batch).items():
            backward_results.setdefault(name, []).append(value)
    return _gather(forward_results, total), _gather(backward_results, total)


def _net_set_input_arrays(self, data, labels, layer=None):
    """Feeds arrays to a MemoryData layer (the net's first layer, or the
    layer named `layer`): `data` N x C x H x W and `labels` N (or N x 1 x 1 x 1),
    float32 and C-contiguous, N a multiple of the layer's batch size. Each
    forward pass then takes the next batch, wrapping around. The layer keeps
    references to the arrays and reads them in place: change them in place to
    feed new values."""
    index = 0 if layer is None else _layer_index(self, layer)
    if not self.layers:
        raise ConfigError('net %r has no layers' % self.name)
    labels = np.asarray(labels)
    if labels.ndim == 1:
        labels = np.ascontiguousarray(labels[:, np.newaxis, np.newaxis, np.newaxis])
    self._set_input_arrays(index, data, labels)


def _net_to_proto(self, write_diff=False):
    """The net (structure and weights) as a caffe_pb2.NetParameter."""
    from .proto import caffe_pb2
    return caffe_pb2.NetParameter.FromString(self._to_proto_bytes(write_diff))


Net.blobs = _cached('blobs', _net_blobs)
Net.blob_loss_weights = _cached('blob_loss_weights', _net_blob_loss_weights)
Net.layer_dict = _cached('layer_dict', _net_layer_dict)
Net.inputs = _cached('inputs', _net_inputs)
Net.outputs = _cached('outputs', _net_outputs)
Net.top_names = _cached('top_names', _net_top_names)
Net.bottom_names = _cached('bottom_names', _net_bottom_names)
# Not cached: Python layers may add parameter blobs lazily.
Net.params = property(_net_params)
Net.forward = _net_forward
Net.backward = _net_backward
Net.forward_all = _net_forward_all
Net.forward_backward_all = _net_forward_backward_all
Net._batch = _net_batch
Net.to_proto = _net_to_proto
Net.set_input_arrays = _net_set_input_arrays


# ---------------------------------------------------------------- Solvers ---

class SolverParameterView:
    """`solver.param`: the running solver's SolverParameter. Reading gives
    the current values; assigning a field (solver.param.base_lr = 0.001)
    changes what the solver uses from its next iteration on. Fields fixed at
    construction (net, test_net, type, solver_mode, random_seed, ...) raise
    caffe.ConfigError, as does changing a repeated or message field in place
    (assign the whole value instead: solver.param.stepvalue = [100, 200])."""

    def __init__(self, solver):
        object.__setattr__(self, '_solver', solver)

    def _message(self):
        from .proto import caffe_pb2
        return caffe_pb2.SolverParameter.FromString(self._solver._param_bytes)

    def __getattr__(self, name):
        return _read_only_field(self._message(), name, name)

    def __setattr__(self, name, value):
        message = self._message()
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            raise AttributeError('SolverParameter has no field %r' % name)
        if _is_repeated(field):
            message.ClearField(name)
            getattr(message, name).extend(value)
        elif field.message_type is not None:
            getattr(message, name).CopyFrom(value)
        else:
            setattr(message, name, value)
        self._solver._update_param(message.SerializeToString())

    def __delattr__(self, name):
        message = self._message()
        message.ClearField(name)
        self._solver._update_param(message.SerializeToString())

    def HasField(self, name):  # noqa: N802 - protobuf's spelling
        return self._message().HasField(name)

    def copy(self):
        """A detached caffe_pb2.SolverParameter copy."""
        return self._message()

    def __str__(self):
        return str(self._message())

    def __repr__(self):
        return '<caffe solver.param view>\n' + str(self)

    def __eq__(self, other):
        if isinstance(other, SolverParameterView):
            other = other._message()
        return self._message() == other


class _FixedMessageView:
    """A message-typed field of solver.param (train_state, net_param, ...):
    every one was fixed when the solver was built, so it reads but refuses
    writes instead of losing them on a copy."""

    def __init__(self, message, path):
        object.__setattr__(self, '_message', message)
        object.__setattr__(self, '_path', path)

    def __getattr__(self, name):
        return _read_only_field(self._message, name, '%s.%s' % (self._path, name))

    def __setattr__(self, name, value):
        raise ConfigError("solver parameter '%s.%s' cannot change once the solver is built; "
                          "make a new solver instead" % (self._path, name))

    def HasField(self, name):  # noqa: N802 - protobuf's spelling
        return self._message.HasField(name)

    def __str__(self):
        return str(self._message)

    def __eq__(self, other):
        if isinstance(other, _FixedMessageView):
            other = other._message
        return self._message == other


def _read_only_field(message, name, path):
    """Field `name` of `message` in a form whose changes cannot be lost:
    repeated fields as tuples, sub-messages as _FixedMessageView."""
    value = getattr(message, name)
    field = message.DESCRIPTOR.fields_by_name.get(name)
    if field is None:
        return value
    if field.message_type is not None:
        if _is_repeated(field):
            return tuple(_FixedMessageView(item, '%s[%d]' % (path, i))
                         for i, item in enumerate(value))
        return _FixedMessageView(value, path)
    if _is_repeated(field):
        return tuple(value)
    return value


def _is_repeated(field):
    # FieldDescriptor.label is deprecated in protobuf 6 in favour of is_repeated.
    repeated = getattr(field, 'is_repeated', None)
    if repeated is not None:
        return repeated
    return field.label == field.LABEL_REPEATED


Solver.param = property(SolverParameterView, doc=SolverParameterView.__doc__)

__all__ = ['Layer', 'Net', 'Blob', 'Solver', 'SGDSolver', 'NesterovSolver', 'AdaGradSolver',
           'RMSPropSolver', 'AdaDeltaSolver', 'AdamSolver', '_caffe']
