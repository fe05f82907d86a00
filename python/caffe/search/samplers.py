"""Samplers and pruners of the search, built from their names.

tpe     Optuna's TPESampler (the default).
gp      GaussianProcessSampler below: Bayesian optimisation with a Gaussian
        process and expected improvement, as DeepAugment's scikit-optimize
        did. Optuna's own GPSampler needs PyTorch (gigabytes); this one needs
        numpy only.
random  Optuna's RandomSampler.

Every sampler takes a seed. The search makes a fresh sampler for each trial,
seeded from (study seed, trial number), so a trial's parameters depend on
the study's history and that seed only: a resumed sequential study samples
what an uninterrupted one would have.
"""
import math

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, IntDistribution
from optuna.trial import TrialState

from ..errors import ConfigError

SAMPLERS = ('tpe', 'gp', 'random')
PRUNERS = ('median', 'hyperband', 'none')


def make_sampler(name, seed, startup_trials=10):
    if name == 'tpe':
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup_trials)
    if name == 'gp':
        return GaussianProcessSampler(seed=seed, n_startup_trials=startup_trials)
    if name == 'random':
        return optuna.samplers.RandomSampler(seed=seed)
    raise ConfigError('unknown sampler %r; choose from %s' % (name, ', '.join(SAMPLERS)))


def make_pruner(name, steps):
    """`steps`: intermediate values a full trial reports (epochs x samples).
    median waits for 4 finished trials (the warm start) and the first half
    of a trial's epochs; hyperband runs brackets from 1 step to `steps`."""
    if name == 'median':
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=max(1, steps // 2))
    if name == 'hyperband':
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(1, steps),
                                              reduction_factor=3)
    if name == 'none':
        return optuna.pruners.NopPruner()
    raise ConfigError('unknown pruner %r; choose from %s' % (name, ', '.join(PRUNERS)))


# ------------------------------------------------------- the GP sampler ---

def _matern52(a, b, lengthscale):
    distance = np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0.0))
    r = math.sqrt(5.0) * distance / lengthscale
    return (1.0 + r + r * r / 3.0) * np.exp(-r)


_erf = np.vectorize(math.erf)


def _normal_cdf(z):
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _normal_pdf(z):
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


class _Encoding:
    """Maps parameters to [0, 1] coordinates (floats and ints linearly, or
    in log space; a categorical as one-hot) and back."""

    def __init__(self, space):
        self.space = dict(sorted(space.items()))
        self.slices = {}
        width = 0
        for name, distribution in self.space.items():
            size = len(distribution.choices) if isinstance(distribution,
                                                           CategoricalDistribution) else 1
            self.slices[name] = slice(width, width + size)
            width += size
        self.width = width

    @staticmethod
    def _unit(distribution, value):
        low, high = distribution.low, distribution.high
        if high == low:
            return 0.5
        if distribution.log:
            return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
        return (value - low) / (high - low)

    def encode(self, params):
        x = np.zeros(self.width)
        for name, distribution in self.space.items():
            where = self.slices[name]
            if isinstance(distribution, CategoricalDistribution):
                x[where.start + distribution.to_internal_repr(params[name])] = 1.0
            else:
                x[where.start] = self._unit(distribution, params[name])
        return x

    def decode(self, x):
        params = {}
        for name, distribution in self.space.items():
            where = self.slices[name]
            if isinstance(distribution, CategoricalDistribution):
                params[name] = distribution.choices[int(np.argmax(x[where]))]
                continue
            u = float(np.clip(x[where.start], 0.0, 1.0))
            low, high = distribution.low, distribution.high
            value = (math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
                     if distribution.log else low + u * (high - low))
            step = getattr(distribution, 'step', None)
            if step is not None:
                value = low + round((value - low) / step) * step
            if isinstance(distribution, IntDistribution):
                value = int(round(value))
            params[name] = min(max(value, low), high)
        return params

    def random(self, rng, count):
        x = np.zeros((count, self.width))
        for name, distribution in self.space.items():
            where = self.slices[name]
            if isinstance(distribution, CategoricalDistribution):
                picks = rng.randint(len(distribution.choices), size=count)
                x[np.arange(count), where.start + picks] = 1.0
            else:
                x[:, where.start] = rng.uniform(size=count)
        return x

    def perturb(self, rng, x, count):
        """Neighbours of x: each parameter changes with probability
        max(1/n, 0.1); a categorical is redrawn, a number moves by a
        gaussian step of 0.15 (in [0, 1] units)."""
        names = list(self.space)
        out = np.repeat(x[None, :], count, axis=0)
        change = rng.uniform(size=(count, len(names))) < max(1.0 / len(names), 0.1)
        for column, name in enumerate(names):
            rows = np.nonzero(change[:, column])[0]
            if not len(rows):
                continue
            where = self.slices[name]
            distribution = self.space[name]
            if isinstance(distribution, CategoricalDistribution):
                out[rows, where] = 0.0
                picks = rng.randint(len(distribution.choices), size=len(rows))
                out[rows, where.start + picks] = 1.0
            else:
                moved = out[rows, where.start] + rng.normal(0, 0.15, size=len(rows))
                out[rows, where.start] = np.clip(moved, 0, 1)
        return out


class GaussianProcessSampler(optuna.samplers.BaseSampler):
    """Bayesian optimisation: a Gaussian process (Matern 5/2 kernel, one
    length scale and a noise level chosen by marginal likelihood) fitted to
    the finished trials, and the next point chosen by expected improvement
    among random and locally perturbed candidates. Random sampling for the
    first `n_startup_trials` trials and for parameters outside the shared
    search space."""

    def __init__(self, seed=None, n_startup_trials=10, n_candidates=2048):
        self._seed = seed
        self._rng = np.random.RandomState(seed)
        self._random = optuna.samplers.RandomSampler(seed=seed)
        self._n_startup_trials = n_startup_trials
        self._n_candidates = n_candidates

    def reseed_rng(self):
        self._rng = np.random.RandomState()
        self._random.reseed_rng()

    @staticmethod
    def _finished(study):
        return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if t.params]

    def infer_relative_search_space(self, study, trial):
        space = None
        for finished in self._finished(study):
            if space is None:
                space = dict(finished.distributions)
            else:
                space = {name: d for name, d in space.items()
                         if finished.distributions.get(name) == d}
        return {name: d for name, d in (space or {}).items() if not d.single()}

    def sample_relative(self, study, trial, search_space):
        if not search_space:
            return {}
        observed = [t for t in self._finished(study)
                    if all(name in t.params for name in search_space)]
        if len(observed) < self._n_startup_trials:
            return {}
        encoding = _Encoding(search_space)
        x = np.array([encoding.encode(t.params) for t in observed])
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
        y = sign * np.array([t.value for t in observed], dtype=float)
        mean, scale = y.mean(), y.std() or 1.0
        z = (y - mean) / scale
        lengthscale, noise = self._fit(x, z, encoding.width)
        best = x[np.argsort(-z)[:5]]
        candidates = np.vstack([encoding.random(self._rng, self._n_candidates)]
                               + [encoding.perturb(self._rng, row, self._n_candidates // 8)
                                  for row in best])
        mu, sigma = self._posterior(x, z, candidates, lengthscale, noise)
        improvement = mu - z.max() - 0.01
        u = improvement / np.maximum(sigma, 1e-12)
        expected = improvement * _normal_cdf(u) + sigma * _normal_pdf(u)
        return encoding.decode(candidates[int(np.argmax(expected))])

    @staticmethod
    def _log_likelihood(x, z, lengthscale, noise):
        k = _matern52(x, x, lengthscale) + noise * np.eye(len(x))
        try:
            chol = np.linalg.cholesky(k)
        except np.linalg.LinAlgError:
            return -np.inf
        alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, z))
        return -0.5 * z @ alpha - np.log(np.diag(chol)).sum()

    def _fit(self, x, z, width):
        best = (-np.inf, 1.0, 1e-2)
        for lengthscale in np.geomspace(0.1, 3.0, 8) * math.sqrt(max(width, 1)) / 2:
            for noise in (1e-4, 1e-2, 1e-1, 0.3):
                value = self._log_likelihood(x, z, lengthscale, noise)
                if value > best[0]:
                    best = (value, lengthscale, noise)
        return best[1], best[2]

    @staticmethod
    def _posterior(x, z, candidates, lengthscale, noise):
        k = _matern52(x, x, lengthscale) + noise * np.eye(len(x))
        chol = np.linalg.cholesky(k)
        alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, z))
        cross = _matern52(candidates, x, lengthscale)
        mu = cross @ alpha
        v = np.linalg.solve(chol, cross.T)
        variance = np.maximum(1.0 - (v * v).sum(0), 1e-12)
        return mu, np.sqrt(variance)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._random.sample_independent(study, trial, param_name, param_distribution)
