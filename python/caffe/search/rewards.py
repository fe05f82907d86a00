"""Rewards: one number per child training, from its per-epoch accuracies.

deepaugment (default)
    DeepAugment's "mean_late_val_acc": the mean of the K best validation
    accuracies among the epochs whose training accuracy exceeds the
    validation accuracy by at most `margin` (K = 3, margin = 0.10 as in
    DeepAugment). DeepAugment returns NaN when no epoch qualifies; here every
    epoch then counts with its validation accuracy lowered by how far its
    gap exceeds the margin, val - (train - val - margin), and the reward is
    the mean of the K best of those. The fallback joins the rule smoothly
    (an epoch exactly at the margin loses nothing) and always ranks a
    trial below what the same accuracies would score without overfitting.
last_k
    The mean validation accuracy of the last K epochs.

Both take the epochs that ran (a pruned training has fewer) and never give
NaN: a training without any epoch is an error, not a reward.
"""
import math

from ..errors import ConfigError

REWARDS = ('deepaugment', 'last_k')


def deepaugment_reward(train_acc, val_acc, k=3, margin=0.10):
    """See the module docstring. Lists of per-epoch accuracies."""
    pairs = _pairs(train_acc, val_acc)
    qualified = [val for train, val in pairs if train - val <= margin]
    if not qualified:
        qualified = [val - (train - val - margin) for train, val in pairs]
    best = sorted(qualified, reverse=True)[:k]
    return sum(best) / len(best)


def last_k_reward(val_acc, k=3):
    values = list(val_acc)
    if not values:
        raise ConfigError('a reward needs at least one epoch')
    _check_finite(values)
    tail = values[-k:]
    return sum(tail) / len(tail)


def _pairs(train_acc, val_acc):
    train_acc, val_acc = list(train_acc), list(val_acc)
    if len(train_acc) != len(val_acc):
        raise ConfigError('%d training accuracies for %d validation accuracies'
                          % (len(train_acc), len(val_acc)))
    if not val_acc:
        raise ConfigError('a reward needs at least one epoch')
    _check_finite(train_acc + val_acc)
    return list(zip(train_acc, val_acc))


def _check_finite(values):
    for value in values:
        if not math.isfinite(value):
            raise ConfigError('accuracy %r is not a finite number' % (value,))


def reward(kind, train_acc, val_acc, k=3, margin=0.10):
    """The reward `kind` ('deepaugment' or 'last_k') of one training."""
    if k < 1:
        raise ConfigError('the reward needs K >= 1, got %d' % k)
    if kind == 'deepaugment':
        return deepaugment_reward(train_acc, val_acc, k, margin)
    if kind == 'last_k':
        return last_k_reward(val_acc, k)
    raise ConfigError('unknown reward %r; choose from %s' % (kind, ', '.join(REWARDS)))
