"""caffe.draw (pydot and Graphviz are installed by the test command)."""
import caffe
from caffe import draw
from caffe import layers as L


def test_graph_has_layers_and_blobs():
    n = caffe.NetSpec()
    n.data = L.Input(shape=dict(dim=[1, 1, 8, 8]))
    n.conv = L.Convolution(n.data, kernel_size=3, num_output=2)
    n.relu = L.ReLU(n.conv, in_place=True)
    n.acc = L.Power(n.conv, include=dict(phase=caffe.TEST))
    proto = n.to_proto()
    graph = draw.get_pydot_graph(proto, 'LR')
    names = {node.get_name() for node in graph.get_nodes()}
    assert {'blob_data', 'blob_conv', 'layer_1_conv', 'layer_2_relu'} <= names
    edges = {(e.get_source(), e.get_destination()) for e in graph.get_edges()}
    assert ('layer_2_relu', 'blob_conv') in edges and ('blob_conv', 'layer_2_relu') in edges
    assert 'kernel size: 3' in graph.get_node('layer_1_conv')[0].get_label()
    train_only = draw.get_pydot_graph(proto, 'TB', phase=caffe.TRAIN)
    assert 'layer_3_acc' not in {node.get_name() for node in train_only.get_nodes()}


def test_display_lrm_shows_learning_rate_multipliers():
    n = caffe.NetSpec()
    n.data = L.Input(shape=dict(dim=[1, 1, 8, 8]))
    n.conv = L.Convolution(n.data, kernel_size=3, num_output=2,
                           param=[dict(lr_mult=1), dict(lr_mult=2)])
    n.ip = L.InnerProduct(n.conv, num_output=2, bias_term=False)
    n.relu = L.ReLU(n.ip)
    proto = n.to_proto()
    graph = draw.get_pydot_graph(proto, 'LR', display_lrm=True)
    assert 'lr mult: 1.0, 2.0' in graph.get_node('layer_1_conv')[0].get_label()
    assert 'lr mult: 1.0' in graph.get_node('layer_2_ip')[0].get_label()
    assert 'lr mult' not in graph.get_node('layer_3_relu')[0].get_label()
    plain = draw.get_pydot_graph(proto, 'LR')
    assert 'lr mult' not in plain.get_node('layer_1_conv')[0].get_label()
