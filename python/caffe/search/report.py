"""The final report: every candidate policy retrained for several seeds on
the report's training set (train + validation by default) and scored once
on the held-out test set that the search never saw.

For each candidate: the mean test score over seeds with its 95% interval,
and the paired difference to TrivialAugment (same seeds, so the same initial
weights and data order; the interval is that of the per-seed differences).
A candidate is called better or worse only when that interval excludes 0.
"""
import csv
import os

from optuna.trial import TrialState

from .stats import Interval, paired

REFERENCE = 'trivialaugment'


def collect(study):
    """{key: {'title', 'scores': {seed: test score}}} in candidate order."""
    result = {}
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number):
        key = trial.user_attrs.get('report:candidate')
        if key is None:
            continue
        entry = result.setdefault(key, {'title': trial.user_attrs['report:title'], 'scores': {}})
        if trial.state == TrialState.COMPLETE:
            entry['scores'][trial.user_attrs['report:seed']] = trial.value
    return result


def _verdict(title, difference, reference_title):
    low, high = 100 * difference.low, 100 * difference.high
    if difference.half_width is None:
        return '%s vs %s: one seed gives no interval; no claim.' % (title, reference_title)
    if difference.low > 0:
        return ('%s is better than %s: %+.2f points (95%% CI %+.2f to %+.2f).'
                % (title, reference_title, 100 * difference.mean, low, high))
    if difference.high < 0:
        return ('%s is worse than %s: %+.2f points (95%% CI %+.2f to %+.2f).'
                % (title, reference_title, 100 * difference.mean, low, high))
    return ('%s vs %s: no significant difference (%+.2f points, 95%% CI %+.2f to %+.2f).'
            % (title, reference_title, 100 * difference.mean, low, high))


def summarize(collected):
    """(rows, verdict lines). A row: title, n, mean, half width, paired
    difference to TrivialAugment (an Interval or None)."""
    reference = collected.get(REFERENCE)
    rows, verdicts = [], []
    for key, entry in collected.items():
        scores = entry['scores']
        if not scores:
            continue
        interval = Interval([scores[s] for s in sorted(scores)])
        difference = None
        if reference and key != REFERENCE:
            common = sorted(set(scores) & set(reference['scores']))
            if common:
                difference = paired([scores[s] for s in common],
                                    [reference['scores'][s] for s in common])
                verdicts.append(_verdict(entry['title'], difference, reference['title']))
        rows.append({'key': key, 'title': entry['title'], 'interval': interval,
                     'difference': difference})
    none = collected.get('none')
    best = collected.get('best')
    if none and best:
        common = sorted(set(best['scores']) & set(none['scores']))
        if common:
            verdicts.append(_verdict(best['title'], paired(
                [best['scores'][s] for s in common], [none['scores'][s] for s in common]),
                none['title']))
    return rows, verdicts


def format_table(rows, verdicts, test_records, seeds):
    lines = ['Final report: test score (%%) on %d held-out records never seen by the search, '
             'mean +- 95%% CI over %d seeds' % (test_records, seeds)]
    width = max([len(row['title']) for row in rows] + [len('policy')])
    lines.append('%-*s  %-18s  %s' % (width, 'policy', 'test score', 'vs TrivialAugment (paired)'))
    for row in rows:
        difference = row['difference'].format(signed=True) if row['difference'] else '-'
        lines.append('%-*s  %-18s  %s' % (width, row['title'], row['interval'].format(),
                                          difference))
    lines.append('')
    lines.extend(verdicts)
    return '\n'.join(lines)


def write_report(study, out, test_records, seeds):
    """Writes out/report.txt and out/report.csv; returns the table text."""
    collected = collect(study)
    rows, verdicts = summarize(collected)
    text = format_table(rows, verdicts, test_records, seeds)
    tmp = os.path.join(out, 'report.txt.tmp-%d' % os.getpid())
    with open(tmp, 'w') as handle:
        handle.write(text + '\n')
    os.replace(tmp, os.path.join(out, 'report.txt'))
    tmp = os.path.join(out, 'report.csv.tmp-%d' % os.getpid())
    with open(tmp, 'w', newline='') as handle:
        writer = csv.writer(handle, lineterminator='\n')
        writer.writerow(['candidate', 'title', 'seed', 'test_score'])
        for key, entry in collected.items():
            for seed in sorted(entry['scores']):
                writer.writerow([key, entry['title'], seed, '%.6f' % entry['scores'][seed]])
    os.replace(tmp, os.path.join(out, 'report.csv'))
    return text
