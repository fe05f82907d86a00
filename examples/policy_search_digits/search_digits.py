"""Policy search on scikit-learn's digits, end to end, with the checks of
the search's "done when" list.

1. The 1,797 digits (8x8) become 28x28 images: bilinear upsampling to
   20x20 and a 4-pixel border, as MNIST centres its digits.
2. A random search (12 trials, no warm start, its own seed) gives the best
   policy pure chance finds with the same child trainings (each trial
   trains twice with different seeds and averages, in both searches).
3. The TPE search (20 trials: no augmentation, TrivialAugment,
   RandAugment(2, 9), the harmful vflip_invert.prototxt, then 16 sampled)
   on train 300 / validation 300; its final report retrains the best
   policy, no augmentation, TrivialAugment, RandAugment(2, 9) and the
   random search's best for 5 seeds on train + validation and scores them
   on the remaining 1,197 digits, which neither search saw.
4. The checks, printed with their numbers: the TPE policy is not worse
   than no augmentation nor than the random search's best by more than one
   point (paired means over seeds); the harmful policy scores clearly
   worse than no augmentation and is not the best.

Usage: python3 search_digits.py WORK_DIR [--workers 2]
"""
import argparse
import csv
import os
import sys
import time

import numpy as np
import optuna
from sklearn.datasets import load_digits

import caffe
from caffe import search
from caffe.search.study import BASELINE, open_storage

HERE = os.path.dirname(os.path.abspath(__file__))
HARMFUL = os.path.join(HERE, 'vflip_invert.prototxt')
COMMON = dict(split=(300, 300), epochs=15, batch_size=32, samples=2, workers=2)


def digits_28x28():
    digits = load_digits()
    small = np.stack([caffe.io.resize_image(image[:, :, None] / 16.0, (20, 20))[:, :, 0]
                      for image in digits.images])
    images = np.clip(np.rint(small * 255), 0, 255).astype(np.uint8)
    return np.pad(images, ((0, 0), (4, 4), (4, 4))), digits.target.astype(np.int64)


def report_scores(out):
    scores = {}
    with open(os.path.join(out, 'report.csv')) as handle:
        for row in csv.DictReader(handle):
            scores.setdefault(row['candidate'], {})[int(row['seed'])] = float(row['test_score'])
    return scores


def paired_points(scores, a, b):
    seeds = sorted(set(scores[a]) & set(scores[b]))
    return search.paired([scores[a][s] for s in seeds], [scores[b][s] for s in seeds])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work')
    parser.add_argument('--workers', type=int, default=2)
    args = parser.parse_args()
    COMMON['workers'] = args.workers
    os.makedirs(args.work, exist_ok=True)
    images, labels = digits_28x28()
    started = time.time()

    print('== random search (the baseline a search must beat)')
    random_out = os.path.join(args.work, 'random')
    # Another seed: an independent search, not the TPE search's own startup.
    search.run(search.SearchConfig(out=random_out, images=images, labels=labels,
                                   sampler='random', seed=1, trials=12, warm_start=False,
                                   report_seeds=0, pruner='none', **COMMON))
    random_best = os.path.join(random_out, 'export', 'best_policy.prototxt')

    print('\n== TPE search')
    tpe_out = os.path.join(args.work, 'tpe')
    result = search.run(search.SearchConfig(
        out=tpe_out, images=images, labels=labels, sampler='tpe', trials=20,
        startup_trials=8, enqueue=[HARMFUL], report_seeds=5,
        report_policies={'random-search best': random_best}, **COMMON))
    minutes = (time.time() - started) / 60

    scores = report_scores(tpe_out)
    print('\n== checks (the search\'s "done when"), %.1f minutes in all' % minutes)
    failures = 0
    for other, title in (('none', 'no augmentation'),
                         ('user:random-search best', 'the random search\'s best')):
        difference = paired_points(scores, 'best', other)
        ok = difference.mean >= -0.01
        failures += not ok
        print('%s TPE policy vs %s: %+.2f points (paired mean over %d seeds, 95%% CI %+.2f to '
              '%+.2f); allowed: no worse than -1.00'
              % ('PASS' if ok else 'FAIL', title, 100 * difference.mean, difference.n,
                 100 * difference.low, 100 * difference.high))
    storage = open_storage(os.path.join(tpe_out, 'study.journal'))
    trials = optuna.load_study(study_name='caffe-search', storage=storage).trials
    by_name = {t.user_attrs.get(BASELINE): t for t in trials}
    harmful = by_name['user:vflip_invert.prototxt']
    none = by_name['none']
    clearly_worse = harmful.value is not None and harmful.value < none.value - 0.05
    chosen = harmful.number == result.best_number
    failures += (not clearly_worse) + chosen
    print('%s harmful policy (vertical flip + invert): reward %.2f vs %.2f without '
          'augmentation (clearly worse: more than 5 points below)'
          % ('PASS' if clearly_worse else 'FAIL', 100 * (harmful.value or 0), 100 * none.value))
    print('%s harmful policy chosen: %s (best is trial %d)'
          % ('FAIL' if chosen else 'PASS', 'yes' if chosen else 'no', result.best_number))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
