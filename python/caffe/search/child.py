"""One child training in this process, on the engine: a pycaffe Solver over
the child net, whose TRAIN data layer augments in its own threads.

Per epoch (one pass over the training records, ceil(records / batch)
iterations) it records the mean training score and loss over the epoch's
iterations (on augmented batches, as Keras' history does) and the score and
loss over the whole validation set (the TEST net, sharing the weights).
"""
import hashlib
import math
import os

from google.protobuf import text_format

from ..errors import ConfigError

MAX_TEST_INTERVAL = 1 << 30  # the solver never tests by itself: we do


def child_seed(*parts):
    """A seed in [1, 2^31 - 1) derived from the parts (study seed, what,
    numbers): a function of them only, the same on every machine."""
    digest = hashlib.sha256(':'.join(str(part) for part in parts).encode()).digest()
    return 1 + int.from_bytes(digest[:8], 'little') % (2 ** 31 - 2)


class Pruned(Exception):
    """Raised by an epoch callback to stop a training early."""


def _loss_outputs(net):
    return [(name, weight) for name, weight in net.blob_loss_weights.items()
            if weight and name in net.outputs]


def _loss(net, outputs):
    return float(sum(weight * float(net.blobs[name].data.sum()) for name, weight in outputs))


def train(net_param, solver_param, work_dir, epochs, iters_per_epoch, val_batches, score, seed,
          weights=None, on_epoch=None, evaluate_every_epoch=True, save_weights=None,
          train_score=True):
    """Trains the child and returns one dict per epoch: epoch (1-based),
    acc, loss, val_acc, val_loss (val_* None for epochs not evaluated).
    `on_epoch(row)` is called after each epoch and may raise Pruned, which
    propagates after the solver is released. With train_score False the
    TRAIN net has no score blob and acc is None."""
    import caffe  # the package (this module is imported by it)

    os.makedirs(work_dir, exist_ok=True)
    net_path = os.path.join(work_dir, 'child_net.prototxt')
    solver_path = os.path.join(work_dir, 'child_solver.prototxt')
    with open(net_path, 'w') as handle:
        handle.write(text_format.MessageToString(net_param))
    solver = type(solver_param)()
    solver.CopyFrom(solver_param)
    solver.net = net_path
    solver.test_iter.append(max(1, val_batches))
    solver.test_interval = MAX_TEST_INTERVAL
    solver.test_initialization = False
    solver.max_iter = epochs * iters_per_epoch
    solver.display = 0
    solver.snapshot = 0
    solver.snapshot_after_train = False
    solver.random_seed = seed
    solver.solver_mode = solver.CPU
    with open(solver_path, 'w') as handle:
        handle.write(text_format.MessageToString(solver))

    caffe.set_random_seed(seed)
    child = caffe.get_solver(solver_path)
    try:
        if weights:
            child.net.copy_from(weights)
        if train_score and score not in child.net.blobs:
            raise ConfigError('the child net has no blob %r in the TRAIN phase' % score)
        test_net = child.test_nets[0]
        # As upstream, the solver shares weights with its test nets only in
        # its own Solver::Test; evaluating here needs the sharing made once.
        test_net.share_with(child.net)
        if score not in test_net.blobs:
            raise ConfigError('the child net has no blob %r in the TEST phase' % score)
        train_losses = _loss_outputs(child.net)
        test_losses = _loss_outputs(test_net)
        history = []
        for epoch in range(1, epochs + 1):
            acc = loss = 0.0
            for _ in range(iters_per_epoch):
                child.step(1)
                if train_score:
                    acc += float(child.net.blobs[score].data.flat[0])
                loss += _loss(child.net, train_losses)
            row = {'epoch': epoch, 'acc': acc / iters_per_epoch if train_score else None,
                   'loss': loss / iters_per_epoch,
                   'val_acc': None, 'val_loss': None}
            if evaluate_every_epoch or epoch == epochs:
                val_acc = val_loss = 0.0
                for _ in range(val_batches):
                    test_net.forward()
                    val_acc += float(test_net.blobs[score].data.flat[0])
                    val_loss += _loss(test_net, test_losses)
                row['val_acc'] = val_acc / val_batches
                row['val_loss'] = val_loss / val_batches
            # A diverged training has a NaN loss but finite accuracies: its
            # reward is low, not an error. Losses are stored as None then.
            for key in ('loss', 'val_loss'):
                if row[key] is not None and not math.isfinite(row[key]):
                    row[key] = None
            history.append(row)
            if on_epoch is not None:
                on_epoch(row)
        if save_weights:
            tmp = save_weights + '.tmp-%d' % os.getpid()
            child.net.save(tmp)
            os.replace(tmp, save_weights)
        return history
    finally:
        del child  # its data layers' threads stop here
