"""Export of a policy for training with it:

  best_policy.prototxt      the `augmentation_param { ... }` block alone, to
                            paste into any Data or TripletData layer;
  best_train_val.prototxt   the child net (your prototxt, or the built-in net
                            reading the search's databases) with the block
                            in its TRAIN data layers;
  best_solver.prototxt      a solver for it: the child solver, one test pass
                            over the validation set per epoch, `epochs`
                            epochs, a snapshot at the end.

`caffe train -solver best_solver.prototxt` trains it as it is. The block has
no random_seed, so the solver's random_seed (set to the study seed) seeds
the augmentation.
"""
import os

from google.protobuf import text_format

from ..proto import caffe_pb2
from . import nets
from .spaces import parse_policy


def _write(path, text):
    tmp = '%s.tmp-%d' % (path, os.getpid())
    with open(tmp, 'w') as handle:
        handle.write(text)
    os.replace(tmp, path)


def policy_block(policy):
    """`augmentation_param { ... }` text of an AugmentationParameter."""
    layer = caffe_pb2.LayerParameter()
    layer.augmentation_param.CopyFrom(policy)
    layer.augmentation_param.ClearField('random_seed')
    return text_format.MessageToString(layer)


def export(plan, policy_text, folder, epochs=None, prefix='best'):
    """Writes the three files for `policy_text` into `folder`; returns their
    paths as {'policy', 'net', 'solver'}."""
    os.makedirs(folder, exist_ok=True)
    policy = parse_policy(policy_text)
    paths = {name: os.path.join(folder, '%s_%s.prototxt' % (prefix, name))
             for name in ('policy', 'train_val', 'solver')}
    _write(paths['policy'], policy_block(policy))
    if plan['user_net']:
        net = nets.export_net(plan['user_net'], policy)
        _, test_layers = nets.data_layers(net)
        test_batch = (nets._source_param(test_layers[0]).batch_size if test_layers
                      else plan['val_batch'])
        val_records = plan['val']['records']
    else:
        template = caffe_pb2.NetParameter()
        text_format.Parse(plan['template'], template)
        sourced = nets.child_net(template, plan['train']['path'], plan['val']['path'], None, 0,
                                 plan['batch'], plan['val_batch'], plan['train']['backend'],
                                 plan['val']['backend'])
        net = nets.export_net(sourced, policy)
        test_batch, val_records = plan['val_batch'], plan['val']['records']
    _write(paths['train_val'], nets.net_text(net))
    solver = caffe_pb2.SolverParameter()
    text_format.Parse(plan['solver'], solver)
    epochs = epochs or plan['epochs']
    solver.net = paths['train_val']
    solver.test_iter.append(max(1, -(-val_records // max(1, test_batch))))
    solver.test_interval = plan['iters_per_epoch']
    solver.max_iter = epochs * plan['iters_per_epoch']
    solver.display = plan['iters_per_epoch']
    solver.snapshot_prefix = os.path.join(folder, prefix)
    solver.random_seed = plan['seed']
    solver.solver_mode = solver.CPU
    _write(paths['solver'], text_format.MessageToString(solver))
    return paths
