"""Drawing a net (a caffe_pb2.NetParameter) as a graph with pydot.

Needs the optional `pydot` package (pip install pydot), and Graphviz's `dot`
program to render images. Layers are boxes, blobs are octagons; an in-place
layer's output is drawn as an edge back into the same blob.
"""
try:
    import pydot
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError('caffe.draw needs pydot: pip install pydot') from error

from .proto import caffe_pb2

LAYER_STYLE = {'shape': 'record', 'fillcolor': '#6495ED', 'style': 'filled'}
NEURON_STYLE = {'shape': 'record', 'fillcolor': '#90EE90', 'style': 'filled'}
BLOB_STYLE = {'shape': 'octagon', 'fillcolor': '#E0E0E0', 'style': 'filled'}
# Layers that compute elementwise and are usually run in place.
NEURON_TYPES = {'ReLU', 'PReLU', 'ELU', 'Sigmoid', 'TanH', 'AbsVal', 'BNLL', 'Power', 'Exp',
                'Log', 'Threshold', 'Dropout', 'Clip', 'Swish'}


# Parameter blobs of layers that learn, for display_lrm: (weights, bias) or one blob.
_WEIGHT_AND_BIAS = {'Convolution': 'convolution_param', 'Deconvolution': 'convolution_param',
                    'InnerProduct': 'inner_product_param', 'Embed': 'embed_param'}
_ONE_BLOB = {'PReLU', 'Bias', 'Parameter'}


def _learning_rate_multipliers(layer):
    """The lr_mult of each parameter blob of `layer` (1 unless its `param`
    entries say otherwise); empty for layers without learnable blobs."""
    if layer.type in _WEIGHT_AND_BIAS:
        blobs = 2 if getattr(layer, _WEIGHT_AND_BIAS[layer.type]).bias_term else 1
    elif layer.type == 'Scale':
        blobs = 2 if layer.scale_param.bias_term else 1
    elif layer.type in _ONE_BLOB:
        blobs = 1
    elif layer.type == 'BatchNorm':
        # Running statistics, which solvers must not update.
        return [0.0, 0.0, 0.0]
    else:
        blobs = len(layer.param)
    return [layer.param[i].lr_mult if i < len(layer.param) else 1.0 for i in range(blobs)]


def _layer_label(layer, separator, display_lrm=False):
    parts = [layer.name, '(%s)' % layer.type]
    if layer.type in ('Convolution', 'Deconvolution'):
        param = layer.convolution_param
        kernel = list(param.kernel_size) or [param.kernel_h]
        stride = list(param.stride) or [1]
        pad = list(param.pad) or [0]
        parts.append('kernel size: %d' % kernel[0])
        parts.append('stride: %d' % stride[0])
        parts.append('pad: %d' % pad[0])
    elif layer.type == 'Pooling':
        param = layer.pooling_param
        pool_name = caffe_pb2.PoolingParameter.PoolMethod.Name(param.pool)
        parts.append('pool: %s' % pool_name)
        parts.append('kernel size: %d' % param.kernel_size)
        parts.append('stride: %d' % param.stride)
    elif layer.type == 'InnerProduct':
        parts.append('num output: %d' % layer.inner_product_param.num_output)
    if display_lrm:
        multipliers = _learning_rate_multipliers(layer)
        if multipliers:
            parts.append('lr mult: %s' % ', '.join('%.1f' % m for m in multipliers))
    return separator.join(parts)


def _included(layer, phase):
    if phase is None:
        return True
    if layer.include:
        return any(rule.HasField('phase') is False or rule.phase == phase
                   for rule in layer.include)
    return not any(rule.HasField('phase') and rule.phase == phase for rule in layer.exclude)


def get_pydot_graph(caffe_net, rankdir, label_edges=True, phase=None, display_lrm=False):
    """A pydot.Dot of the net, laid out in `rankdir` ('LR', 'TB', 'BT', 'RL');
    with `phase` (caffe.TRAIN/TEST) only that phase's layers are drawn; with
    display_lrm each learning layer shows the lr_mult of its parameters."""
    graph = pydot.Dot(caffe_net.name or 'Net', graph_type='digraph', rankdir=rankdir)
    blob_nodes = {}

    def blob_node(name):
        if name not in blob_nodes:
            blob_nodes[name] = pydot.Node('blob_' + name, label=name, **BLOB_STYLE)
            graph.add_node(blob_nodes[name])
        return blob_nodes[name]

    for index, layer in enumerate(caffe_net.layer):
        if not _included(layer, phase):
            continue
        style = NEURON_STYLE if layer.type in NEURON_TYPES else LAYER_STYLE
        node = pydot.Node('layer_%d_%s' % (index, layer.name),
                          label='"%s"' % _layer_label(layer, '\\n', display_lrm), **style)
        graph.add_node(node)
        for bottom in layer.bottom:
            graph.add_edge(pydot.Edge(blob_node(bottom), node))
        for top in layer.top:
            edge_label = layer.name if label_edges else ''
            graph.add_edge(pydot.Edge(node, blob_node(top), label=edge_label))
    return graph


def draw_net(caffe_net, rankdir, ext='png', phase=None, display_lrm=False):
    """The rendered graph as bytes in format `ext` (needs Graphviz)."""
    return get_pydot_graph(caffe_net, rankdir, phase=phase,
                           display_lrm=display_lrm).create(format=ext)


def draw_net_to_file(caffe_net, filename, rankdir='LR', phase=None, display_lrm=False):
    """Renders the net into `filename`; the extension picks the format."""
    ext = filename[filename.rfind('.') + 1:]
    with open(filename, 'wb') as handle:
        handle.write(draw_net(caffe_net, rankdir, ext, phase, display_lrm))
