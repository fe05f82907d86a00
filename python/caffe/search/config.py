"""The settings of a search (SearchConfig) and the child solver's defaults.

Everything that changes results is recorded in the study when it is created
(`Plan.settings`); re-running with different values is refused, naming them.
Only `workers`, the storage location, the heartbeat timing and `quiet` may
change between runs of one study.
"""
import dataclasses
from typing import Dict, List, Optional, Sequence

from google.protobuf import text_format

from ..errors import ConfigError, IOError as CaffeIOError, ParseError
from ..proto import caffe_pb2

# The child solver unless `solver` names a file: SGD with momentum whose rate
# falls linearly to 0 at the last iteration ("poly", power 1; the search sets
# max_iter), so a short training ends converged and its final score varies
# little between seeds (on the digits example the test score's standard
# deviation over 5 seeds fell from 1.1 to 0.2 points against a fixed rate).
# `caffe train` gets the same values in the exported solver.
DEFAULT_SOLVER = '''
type: "SGD"
base_lr: 0.05
momentum: 0.9
weight_decay: 0.0005
lr_policy: "poly"
power: 1
'''


@dataclasses.dataclass
class SearchConfig:
    """What to search and how. Inputs are either databases (train, val and
    optionally test), one database to split (data + split), or numpy arrays
    (images + labels + split). See docs/search.md for every field."""

    out: str
    # inputs
    train: Optional[str] = None
    val: Optional[str] = None
    test: Optional[str] = None
    data: Optional[str] = None
    images: Optional[object] = None
    labels: Optional[object] = None
    split: Optional[Sequence[int]] = None
    split_seed: int = 0
    channel_order: str = 'rgb'
    triplets_per_anchor: int = 0
    # child
    net: str = 'basic'
    solver: Optional[str] = None
    batch_size: Optional[int] = None
    score: str = 'accuracy'
    epochs: int = 10
    samples: int = 1
    pretrain_epochs: int = 0
    # search
    space: str = 'deepaugment'
    ops: Optional[Sequence[str]] = None
    sampler: str = 'tpe'
    seed: int = 0
    startup_trials: int = 10
    trials: int = 20
    reward: str = 'deepaugment'
    reward_k: int = 3
    reward_margin: float = 0.10
    pruner: str = 'median'
    warm_start: bool = True
    enqueue: List[str] = dataclasses.field(default_factory=list)
    # storage and processes
    storage: Optional[str] = None
    study_name: str = 'caffe-search'
    workers: int = 1
    heartbeat_interval: float = 10.0
    heartbeat_grace: float = 60.0
    # final report
    report_seeds: int = 5
    report_epochs: Optional[int] = None
    report_train: str = 'train+val'
    report_policies: Dict[str, str] = dataclasses.field(default_factory=dict)
    quiet: bool = False

    def check(self):
        """ConfigError for values that cannot work, before anything runs."""
        if self.batch_size is not None and (not isinstance(self.batch_size, int)
                                            or self.batch_size < 1):
            raise ConfigError('batch_size must be a positive integer, got %r' % self.batch_size)
        positive = {'epochs': self.epochs,
                    'samples': self.samples, 'trials': self.trials, 'workers': self.workers,
                    'reward_k': self.reward_k}
        for name, value in positive.items():
            if not isinstance(value, int) or value < 1:
                raise ConfigError('%s must be a positive integer, got %r' % (name, value))
        for name in ('pretrain_epochs', 'report_seeds', 'startup_trials', 'triplets_per_anchor'):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ConfigError('%s must be an integer >= 0, got %r' % (name, value))
        if self.report_epochs is not None and self.report_epochs < 1:
            raise ConfigError('report_epochs must be >= 1, got %r' % self.report_epochs)
        if self.report_train not in ('train+val', 'train'):
            raise ConfigError("report_train must be 'train+val' or 'train', got %r"
                              % self.report_train)
        if not 0 <= self.reward_margin <= 1:
            raise ConfigError('reward_margin must be in [0, 1], got %r' % self.reward_margin)
        if self.heartbeat_interval <= 0 or self.heartbeat_grace <= self.heartbeat_interval:
            raise ConfigError('heartbeat_grace (%r s) must exceed heartbeat_interval (%r s) > 0'
                              % (self.heartbeat_grace, self.heartbeat_interval))
        sources = [name for name, given in (('train/val databases', self.train or self.val),
                                            ('data + split', self.data),
                                            ('images + labels', self.images is not None))
                   if given]
        if len(sources) > 1:
            raise ConfigError('give one kind of input, not %s' % ' and '.join(sources))
        if (self.data or self.images is not None) and not self.split:
            raise ConfigError('splitting %s needs split = (train, val[, test]) record counts'
                              % ('a database' if self.data else 'arrays'))
        if self.images is not None and self.labels is None:
            raise ConfigError('images need labels')
        if self.split is not None and len(self.split) not in (2, 3):
            raise ConfigError('split is (train, val) or (train, val, test), got %r'
                              % (self.split,))


def solver_param(path=None):
    """The child SolverParameter: the file `path` or DEFAULT_SOLVER. Fields
    the search sets itself (net, test and snapshot settings, max_iter,
    random_seed) are cleared here."""
    text = DEFAULT_SOLVER
    if path:
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError as error:
            raise CaffeIOError('cannot read solver %s: %s' % (path, error.strerror)) from None
    param = caffe_pb2.SolverParameter()
    try:
        text_format.Parse(text, param)
    except text_format.ParseError as error:
        raise ParseError('%s:%s' % (path or 'default solver', error)) from None
    for field in ('net', 'net_param', 'train_net', 'test_net', 'train_net_param',
                  'test_net_param', 'train_state', 'test_state', 'test_iter', 'test_interval',
                  'test_compute_loss', 'test_initialization', 'max_iter', 'display',
                  'snapshot', 'snapshot_prefix', 'snapshot_after_train', 'random_seed',
                  'average_loss'):
        param.ClearField(field)
    return param
