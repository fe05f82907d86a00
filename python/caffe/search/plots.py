"""PNG plots of a search (matplotlib, drawn off-screen):

  history.png     every trial's reward in trial order (pruned trials as x at
                  their last validation score), the best so far as a line,
                  warm-start trials labelled;
  importance.png  Optuna's parameter importances (fANOVA) over the finished
                  trials that share the space's parameters;
  preview.png     the best policy applied to the first training images:
                  one row per image, the image then 8 augmented epochs.
"""
import os

from optuna.trial import TrialState

from .study import BASELINE


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _save(figure, path):
    tmp = '%s.tmp-%d.png' % (path, os.getpid())
    figure.savefig(tmp, dpi=110, bbox_inches='tight')
    os.replace(tmp, path)


def plot_history(study, path):
    plt = _pyplot()
    trials = [t for t in study.get_trials(deepcopy=False)
              if t.state in (TrialState.COMPLETE, TrialState.PRUNED) and t.value is not None]
    trials.sort(key=lambda t: t.number)
    figure, axes = plt.subplots(figsize=(8, 4.5))
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    axes.scatter([t.number for t in complete], [100 * t.value for t in complete],
                 color='tab:blue', label='trial reward', zorder=3)
    if pruned:
        axes.scatter([t.number for t in pruned], [100 * t.value for t in pruned], marker='x',
                     color='tab:gray', label='pruned (last validation score)', zorder=3)
    best, xs, ys = None, [], []
    for trial in complete:
        best = trial.value if best is None else max(best, trial.value)
        xs.append(trial.number)
        ys.append(100 * best)
    if xs:
        axes.step(xs, ys, where='post', color='tab:orange', label='best so far')
    for trial in trials:
        if trial.user_attrs.get(BASELINE):
            axes.annotate(trial.user_attrs[BASELINE], (trial.number, 100 * trial.value),
                          textcoords='offset points', xytext=(4, 4), fontsize=7)
    from matplotlib.ticker import MaxNLocator
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel('trial')
    axes.set_ylabel('reward (validation score, %)')
    axes.set_title('Optimisation history of %s' % study.study_name)
    axes.grid(alpha=0.3)
    axes.legend(loc='lower right', fontsize=8)
    _save(figure, path)
    plt.close(figure)


def plot_importance(study, path):
    """Returns False (and writes nothing) when there are too few finished
    trials with parameters for importances."""
    import optuna
    trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if t.params]
    if len(trials) < 3:
        return False
    try:
        importances = optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError):
        return False
    if not importances:
        return False
    plt = _pyplot()
    names = list(importances)[:20][::-1]
    figure, axes = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
    axes.barh(names, [importances[name] for name in names], color='tab:blue')
    axes.set_xlabel('importance (fANOVA)')
    axes.set_title('Parameter importances')
    axes.tick_params(axis='y', labelsize=7)
    _save(figure, path)
    plt.close(figure)
    return True


def plot_preview(policy, images, path, samples=8):
    from .. import augment
    from .spaces import AugmentationParameter
    param = AugmentationParameter()
    param.CopyFrom(policy)
    param.random_seed = 1
    tmp = '%s.tmp-%d.png' % (path, os.getpid())
    augment.preview(param, images, samples, tmp, keys=[b'%08d' % i for i in range(len(images))])
    os.replace(tmp, path)
