"""Child trainings per hour of the policy search (caffe.search) on this
machine, with 1 and with 2 worker processes, measured side by side.

The child is the one of examples/policy_search_digits: scikit-learn's digits
at 28x28, 300 training and 300 validation records, the built-in `basic` net,
15 epochs of 10 iterations (batch 32) with a validation pass per epoch.
Random sampler, no pruning and no warm start, so every trial is one full
child training; the final report is off. Wall time counts the whole
command (worker start-up, storage, records and plots included).

    PYTHONPATH=build/python python3 benchmarks/search_throughput.py [--trials 12]

Needs scikit-learn, optuna and matplotlib. Prints one line per worker count
and the ratio.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'examples', 'policy_search_digits'))

from caffe import search  # noqa: E402
from search_digits import digits_28x28  # noqa: E402


def measure(images, labels, trials, workers):
    out = tempfile.mkdtemp(prefix='search-bench-')
    try:
        started = time.time()
        search.run(search.SearchConfig(out=out, images=images, labels=labels, split=(300, 300),
                                       epochs=15, batch_size=32, sampler='random',
                                       pruner='none', warm_start=False, trials=trials,
                                       report_seeds=0, workers=workers, quiet=True),
                   stream=open(os.devnull, 'w'))
        return time.time() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--trials', type=int, default=12)
    args = parser.parse_args()
    images, labels = digits_28x28()
    rates = {}
    for workers in (1, 2):
        seconds = measure(images, labels, args.trials, workers)
        rates[workers] = args.trials * 3600.0 / seconds
        print('%d worker(s): %d child trainings in %.1f s = %.0f child trainings per hour'
              % (workers, args.trials, seconds, rates[workers]))
    print('2 workers / 1 worker: %.2fx' % (rates[2] / rates[1]))
    print('load average during the run: %.2f %.2f %.2f' % os.getloadavg())


if __name__ == '__main__':
    main()
