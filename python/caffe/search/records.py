"""The search's files: DeepAugment-compatible notebook.csv (one row per epoch
x sample x trial) and top_policies.csv, rewritten from the study after every
trial, each written under a temporary name and renamed into place.

notebook.csv columns, DeepAugment's first: acc, loss, val_acc, val_loss
(the epoch's mean training score and loss, validation score and loss),
trial_no, the space's parameters (deepaugment: A_aug1_type, A_aug1_magnitude,
A_aug2_type, A_aug2_magnitude, A_portion, ..., E_portion), sample_no (from
1), mean_late_val_acc (that sample's reward), epoch (from 1); then ours:
trial_state, trial_reward (the trial's value: mean over samples), baseline
(warm-start name, if any) and policy (the augmentation_param, one line).

top_policies.csv: the 20 best finished trials: trial_no, the parameters,
mean_late_val_acc (the trial's reward), expected_accuracy_increase(%)
(against the no-augmentation trial), baseline and policy.
"""
import csv
import io
import os

from google.protobuf import text_format
from optuna.trial import TrialState

from .spaces import DeepAugmentSpace, parse_policy
from .study import BASELINE

TOP_K = 20


def param_columns(space_name, trials):
    """The parameter columns: DeepAugment's order for its space, else the
    parameters in the order trials first used them."""
    if space_name == 'deepaugment':
        return ['%s_%s' % (letter, part) for letter in DeepAugmentSpace.LETTERS
                for part in ('aug1_type', 'aug1_magnitude', 'aug2_type', 'aug2_magnitude',
                             'portion')]
    columns = []
    for trial in trials:
        for name in trial.params:
            if name not in columns:
                columns.append(name)
    return columns


def one_line(policy_text):
    """A policy's prototxt on one line; '' for a trial that has none yet."""
    if policy_text is None:
        return ''
    return (text_format.MessageToString(parse_policy(policy_text), as_one_line=True)
            or '(no augmentation)')


def _write(path, header, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction='ignore',
                            lineterminator='\n')
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in header})
    tmp = '%s.tmp-%d' % (path, os.getpid())
    with open(tmp, 'w', newline='') as handle:
        handle.write(buffer.getvalue())
    os.replace(tmp, path)


def _cell(value):
    if value is None:
        return ''
    if isinstance(value, float):
        return '%.6g' % value
    return value


def notebook_rows(trials, columns):
    rows = []
    for trial in sorted(trials, key=lambda t: t.number):
        histories = trial.user_attrs.get('history') or []
        sample_rewards = trial.user_attrs.get('sample_rewards') or []
        policy = one_line(trial.user_attrs.get('policy'))
        for sample, history in enumerate(histories):
            for epoch_row in history:
                row = {'acc': epoch_row.get('acc'), 'loss': epoch_row.get('loss'),
                       'val_acc': epoch_row.get('val_acc'), 'val_loss': epoch_row.get('val_loss'),
                       'trial_no': trial.number, 'sample_no': sample + 1,
                       'mean_late_val_acc': (sample_rewards[sample]
                                             if sample < len(sample_rewards) else None),
                       'epoch': epoch_row.get('epoch'), 'trial_state': trial.state.name,
                       'trial_reward': trial.value if trial.state == TrialState.COMPLETE
                       else None,
                       'baseline': trial.user_attrs.get(BASELINE, ''), 'policy': policy}
                row.update({name: trial.params.get(name) for name in columns})
                rows.append(row)
    return rows


def top_rows(trials, columns, k=TOP_K):
    finished = [t for t in trials if t.state == TrialState.COMPLETE]
    finished.sort(key=lambda t: (-t.value, t.number))
    none = [t for t in finished if t.user_attrs.get(BASELINE) == 'none']
    reference = none[0].value if none else None
    rows = []
    for trial in finished[:k]:
        row = {'trial_no': trial.number, 'mean_late_val_acc': trial.value,
               'expected_accuracy_increase(%)': (100 * (trial.value - reference)
                                                 if reference is not None else None),
               'baseline': trial.user_attrs.get(BASELINE, ''),
               'policy': one_line(trial.user_attrs.get('policy'))}
        row.update({name: trial.params.get(name) for name in columns})
        rows.append(row)
    return rows


NOTEBOOK_HEAD = ['acc', 'loss', 'val_acc', 'val_loss', 'trial_no']
NOTEBOOK_TAIL = ['sample_no', 'mean_late_val_acc', 'epoch', 'trial_state', 'trial_reward',
                 'baseline', 'policy']


def write_records(study, space_name, out):
    """Rewrites out/notebook.csv and out/top_policies.csv from `study`."""
    trials = study.get_trials(deepcopy=False)
    columns = param_columns(space_name, trials)
    _write(os.path.join(out, 'notebook.csv'), NOTEBOOK_HEAD + columns + NOTEBOOK_TAIL,
           notebook_rows(trials, columns))
    _write(os.path.join(out, 'top_policies.csv'),
           ['trial_no'] + columns + ['mean_late_val_acc', 'expected_accuracy_increase(%)',
                                     'baseline', 'policy'],
           top_rows(trials, columns))
