"""Deterministic views from pycaffe: a Data layer with views_param emits each
record under each view (flip, then counter-clockwise quarter turns) as
consecutive items, the same sample exactly permuted."""
import numpy as np

import caffe
from caffe.proto import caffe_pb2


def view_of(item, view):
    """View `view` (ViewsParameter.View) of a C x H x W item, with numpy."""
    if view >= caffe_pb2.ViewsParameter.FLIP:
        item = item[:, :, ::-1]
    return np.rot90(item, k=view % 4, axes=(1, 2))


def test_each_record_under_each_view_as_consecutive_items(tmp_path):
    rng = np.random.RandomState(3)
    images = rng.randint(0, 256, size=(3, 3, 6, 6)).astype(np.uint8)
    path = tmp_path / 'db'
    with caffe.db.open(path, 'lmdb', 'new') as db, db.transaction() as txn:
        for index, image in enumerate(images):
            txn.put_datum(b'%08d' % index, image, label=index + 10)
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('''layer { name: "data" type: "Data" top: "data" top: "label"
  data_param { source: "%s" backend: LMDB batch_size: 3 }
  transform_param { scale: 0.5 }
  views_param { preset: DIHEDRAL } }''' % path)
    net = caffe.Net(str(net_file), caffe.TEST)
    net.forward()
    data, labels = net.blobs['data'].data, net.blobs['label'].data
    assert data.shape == (24, 3, 6, 6)
    views = list(range(8))  # DIHEDRAL: the View enum in order
    for record, image in enumerate(images):
        for v in views:
            item = record * len(views) + v
            np.testing.assert_array_equal(data[item], view_of(image * 0.5, v))
            assert labels[item] == record + 10
