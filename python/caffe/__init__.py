"""pycaffe: the Python interface of this Caffe-compatible engine.

    import caffe
    caffe.set_mode_cpu()
    net = caffe.Net('deploy.prototxt', caffe.TEST, weights='model.caffemodel')
    net.blobs['data'].data[...] = images
    out = net.forward()

Python layers derive from caffe.Layer; see docs/python.md.
"""
from .errors import *  # noqa: F401,F403 - CaffeError and its subclasses
from ._caffe import (TEST, TRAIN, Phase, __version__, get_max_image_pixels, get_solver,
                     layer_type_list, set_device, set_max_image_pixels, set_mode_cpu,
                     set_mode_gpu, set_random_seed, solver_type_list)
from .pycaffe import (AdaDeltaSolver, AdaGradSolver, AdamSolver, Blob, Layer, NesterovSolver,
                      Net, RMSPropSolver, SGDSolver, Solver)
from . import augment, db, io
from .convert import convert_imageset, convert_triplet_db
from .net_spec import layers, params, NetSpec, to_proto
