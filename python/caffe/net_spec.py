"""Writing nets in Python: NetSpec, layers (L) and params (P).

    from caffe import layers as L, params as P, NetSpec
    n = NetSpec()
    n.data, n.label = L.Input(shape=[dict(dim=[64, 1, 28, 28]), dict(dim=[64])], ntop=2)
    n.ip = L.InnerProduct(n.data, num_output=10, weight_filler=dict(type='xavier'))
    n.loss = L.SoftmaxWithLoss(n.ip, n.label)
    print(n.to_proto())

Keyword arguments of a layer go into its type's `<type>_param` message when
that message has such a field, else into LayerParameter itself (loss_weight,
param, include, ...); `x_param=dict(...)` names a parameter message
explicitly. Dicts become sub-messages, lists repeated fields. Special
keywords: ntop (number of tops, default 1), in_place (top = bottom), name.
Unnamed layers and tops are called <Type><N>; a layer takes the name of its
first top.
"""
from collections import Counter, OrderedDict

from .proto import caffe_pb2


def param_name_dict():
    """Layer type -> name of its parameter field without `_param`, e.g.
    'Convolution' -> 'convolution', derived from LayerParameter's fields."""
    layer = caffe_pb2.LayerParameter()
    names = {}
    for field in layer.DESCRIPTOR.fields:
        if not field.name.endswith('_param') or field.message_type is None:
            continue
        message_name = field.message_type.name
        if message_name.endswith('Parameter'):
            names[message_name[:-len('Parameter')]] = field.name[:-len('_param')]
    return names


def assign_proto(proto, name, value):
    """Sets proto.name from a Python value: dicts fill sub-messages, lists
    (or single values) fill repeated fields."""
    field = getattr(proto, name)
    is_repeated = hasattr(field, 'extend')
    if is_repeated and not isinstance(value, (list, tuple)):
        value = [value]
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            for item in value:
                message = field.add()
                for key, item_value in item.items():
                    assign_proto(message, key, item_value)
        else:
            field.extend(value)
    elif isinstance(value, dict):
        for key, item_value in value.items():
            assign_proto(field, key, item_value)
    else:
        setattr(proto, name, value)


class Top:
    """One output of a layer (Function); usable as a bottom of other layers."""

    def __init__(self, fn, n):
        self.fn = fn
        self.n = n

    def to_proto(self):
        """A NetParameter holding every layer needed to compute this top."""
        return to_proto(self)

    def _to_proto(self, layers, names, autonames):
        return self.fn._to_proto(layers, names, autonames)


class Function:
    """A layer being specified: type, bottoms (Tops) and parameters."""

    def __init__(self, type_name, inputs, params):
        self.type_name = type_name
        for index, value in enumerate(inputs):
            if not isinstance(value, Top):
                # Upstream's wording, which scripts and tests match on.
                raise TypeError('%s input %d is not a Top (type is %s)'
                                % (type_name, index, type(value)))
        self.inputs = inputs
        self.params = dict(params)
        self.ntop = self.params.pop('ntop', 1)
        self.in_place = self.params.pop('in_place', False)
        self.tops = tuple(Top(self, n) for n in range(self.ntop))

    def _get_name(self, names, autonames):
        if self not in names:
            if self.ntop > 0:
                names[self] = self._get_top_name(self.tops[0], names, autonames)
            else:
                autonames[self.type_name] += 1
                names[self] = self.type_name + str(autonames[self.type_name])
        return names[self]

    def _get_top_name(self, top, names, autonames):
        if top not in names:
            autonames[top.fn.type_name] += 1
            names[top] = top.fn.type_name + str(autonames[top.fn.type_name])
        return names[top]

    def _to_proto(self, layers, names, autonames):
        if self in layers:
            return
        bottom_names = []
        for top in self.inputs:
            top._to_proto(layers, names, autonames)
            bottom_names.append(layers[top.fn].top[top.n])
        layer = caffe_pb2.LayerParameter()
        layer.type = self.type_name
        layer.bottom.extend(bottom_names)
        if self.in_place:
            layer.top.extend(layer.bottom)
        else:
            for top in self.tops:
                layer.top.append(self._get_top_name(top, names, autonames))
        layer.name = self._get_name(names, autonames)
        param_names = _param_names()
        for key, value in self.params.items():
            if key == 'name':
                layer.name = value
            elif key.endswith('param'):
                assign_proto(layer, key, value)
            else:
                try:
                    assign_proto(getattr(layer, param_names[self.type_name] + '_param'),
                                 key, value)
                except (AttributeError, KeyError):
                    assign_proto(layer, key, value)
        layers[self] = layer


_PARAM_NAMES = None


def _param_names():
    global _PARAM_NAMES
    if _PARAM_NAMES is None:
        _PARAM_NAMES = param_name_dict()
    return _PARAM_NAMES


def to_proto(*tops):
    """A NetParameter with the layers needed to compute the given tops."""
    layers = OrderedDict()
    autonames = Counter()
    for top in tops:
        top.fn._to_proto(layers, {}, autonames)
    net = caffe_pb2.NetParameter()
    net.layer.extend(layers.values())
    return net


class NetSpec:
    """Named tops of a net under construction: `n.conv1 = L.Convolution(...)`
    names the top (and its layer) 'conv1'. to_proto() writes the net."""

    def __init__(self):
        super().__setattr__('tops', OrderedDict())

    def __setattr__(self, name, value):
        self.tops[name] = value

    def __getattr__(self, name):
        try:
            return self.tops[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setitem__(self, key, value):
        self.__setattr__(key, value)

    def __getitem__(self, item):
        return self.__getattr__(item)

    def __delitem__(self, name):
        del self.tops[name]

    def keys(self):
        return list(self.tops.keys())

    def vals(self):
        return list(self.tops.values())

    def to_proto(self):
        names = {top: name for name, top in self.tops.items()}
        autonames = Counter()
        layers = OrderedDict()
        for top in self.tops.values():
            top._to_proto(layers, names, autonames)
        net = caffe_pb2.NetParameter()
        net.layer.extend(layers.values())
        return net


class Layers:
    """`L.Convolution(bottom, ...)` creates a layer of type Convolution and
    returns its top (or a tuple of tops when ntop > 1, the Function when 0)."""

    def __getattr__(self, name):
        def layer_fn(*args, **kwargs):
            fn = Function(name, args, kwargs)
            if fn.ntop == 0:
                return fn
            if fn.ntop == 1:
                return fn.tops[0]
            return fn.tops
        return layer_fn


class Parameters:
    """`P.Pooling.MAX` is caffe_pb2.PoolingParameter.MAX, and so on."""

    def __getattr__(self, name):
        message = getattr(caffe_pb2, name + 'Parameter')

        class Param:
            def __getattr__(self, param_name):
                return getattr(message, param_name)
        return Param()


layers = Layers()
params = Parameters()
