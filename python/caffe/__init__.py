"""pycaffe: the Python interface of this Caffe-compatible engine.

    import caffe
    caffe.set_mode_cpu()
    net = caffe.Net('deploy.prototxt', caffe.TEST, weights='model.caffemodel')
    net.blobs['data'].data[...] = images
    out = net.forward()

Python layers derive from caffe.Layer; see docs/python.md.
"""
from .errors import *  # noqa: F401,F403 - CaffeError and its subclasses
from ._caffe import (TEST, TRAIN, Phase, __version__, blas_threads, default_blas_threads,
                     get_max_image_pixels, get_solver, layer_type_list, log, set_blas_threads,
                     set_max_image_pixels, set_mode_cpu, set_random_seed, solver_type_list)
from ._runtime import (Timer, has_nccl, init_log, multiprocess, set_device, set_mode_gpu,
                       set_multiprocess, set_solver_count, set_solver_rank, solver_count,
                       solver_rank)
from .pycaffe import (AdaDeltaSolver, AdaGradSolver, AdamSolver, Blob, Layer, NesterovSolver,
                      Net, RMSPropSolver, SGDSolver, Solver)
from .classifier import Classifier
from .detector import Detector
from . import augment, coord_map, db, io
from .convert import convert_imageset, convert_triplet_db
from .net_spec import layers, params, NetSpec, to_proto
