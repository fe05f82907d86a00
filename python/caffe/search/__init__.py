"""caffe.search: find the augmentation policy that suits your images, with
child trainings on this engine (augmentation in the data layers' threads),
Optuna for sampling, pruning and storage, and an honest final report.

    from caffe import search
    result = search.run(search.SearchConfig(
        out='search_out', images=x, labels=y, split=(300, 300), trials=20, workers=2))
    print(result.report_text)

or, DeepAugment's way:

    deepaug = search.DeepAugment(x, y, config={'opt_samples': 1, 'child_epochs': 10})
    top_policies = deepaug.optimize(20)

The command line is `python -m caffe.search` (or `caffe-search`); see
docs/search.md. Needs the `search` extra: pip install .[search]
"""
try:
    import optuna  # noqa: F401
except ImportError:  # pragma: no cover - depends on the installation
    raise ImportError('caffe.search needs Optuna: pip install optuna (or the package\'s '
                      '[search] extra, which also brings psycopg and matplotlib)') from None

from .config import DEFAULT_SOLVER, SearchConfig
from .data import inspect_db, split_db, write_arrays
from .ops import PUBLISHED_OPS, available_ops
from .rewards import deepaugment_reward, last_k_reward, reward
from .runner import SearchResult, rerun_trial, run
from .samplers import GaussianProcessSampler
from .spaces import (BASELINES, baseline_policy, make_space, parse_policy, policy_text)
from .stats import Interval, paired

__all__ = ['SearchConfig', 'SearchResult', 'run', 'rerun_trial', 'DeepAugment', 'DEFAULT_SOLVER',
           'inspect_db', 'split_db', 'write_arrays', 'available_ops', 'PUBLISHED_OPS',
           'reward', 'deepaugment_reward', 'last_k_reward', 'GaussianProcessSampler',
           'make_space', 'baseline_policy', 'parse_policy', 'policy_text', 'BASELINES',
           'Interval', 'paired']

_METHODS = {'bayesian_optimization': 'gp', 'random_search': 'random', 'tpe': 'tpe',
            'gp': 'gp', 'random': 'random'}


class DeepAugment:
    """DeepAugment's interface over this search. `config` takes DeepAugment's
    keys: model ('basiccnn' or 'wrn_<depth>_<width>'), method
    ('bayesian_optimization' -> GP, 'random_search', or 'tpe'),
    train_set_size (training records; as many again validate, the rest is
    the final report's test set), opt_samples, opt_last_n_epochs (reward K),
    opt_initial_points (random trials first), child_epochs,
    child_first_train_epochs (pretraining), child_batch_size, and
    notebook_path (its folder is the output folder); plus any SearchConfig
    field. Images are N x H x W x C (RGB) arrays, labels integers."""

    KEYS = {'opt_samples': 'samples', 'opt_last_n_epochs': 'reward_k',
            'opt_initial_points': 'startup_trials', 'child_epochs': 'epochs',
            'child_first_train_epochs': 'pretrain_epochs', 'child_batch_size': 'batch_size'}

    def __init__(self, images, labels, config=None, out='deepaugment_out'):
        import os
        config = dict(config or {})
        fields = {'out': out, 'images': images, 'labels': labels}
        model = config.pop('model', 'basiccnn')
        fields['net'] = 'basic' if model == 'basiccnn' else model
        method = config.pop('method', 'bayesian_optimization')
        if method not in _METHODS:
            from ..errors import ConfigError
            raise ConfigError('unknown method %r; choose from %s' % (method, ', '.join(_METHODS)))
        fields['sampler'] = _METHODS[method]
        size = config.pop('train_set_size', 2000)
        fields['split'] = (size, size)
        if 'notebook_path' in config:
            fields['out'] = os.path.dirname(os.path.abspath(config.pop('notebook_path')))
        for key, field in self.KEYS.items():
            if key in config:
                fields[field] = config.pop(key)
        fields.update(config)
        self.config = SearchConfig(**fields)
        self.result = None

    def optimize(self, iterations=300):
        """Runs `iterations` trials after the warm start; returns the rows of
        top_policies.csv (dicts), best first."""
        import csv
        import os
        from .plan import _warm_start
        from .spaces import make_space
        warm = len(_warm_start(self.config, make_space(self.config.space, self.config.ops)))
        self.config.trials = iterations + warm
        self.result = run(self.config)
        with open(os.path.join(self.result.out, 'top_policies.csv')) as handle:
            return list(csv.DictReader(handle))
