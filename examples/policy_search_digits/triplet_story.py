"""The whole story on triplets, in one command: triplet LMDBs written from
Python, a short policy search on a triplet child, training with the found
policy beside training without augmentation with `caffe train`, and the
held-out result of both with `caffe test`.

1. scikit-learn's digits at 28x28 are split (train 300, validation 300,
   test the rest) and written as TripletDatum LMDBs with caffe.db (4
   triplets per anchor, positive from its class, negative from another).
2. `python -m caffe.search` runs a short TPE search on the built-in
   triplet net (TripletData, TripletLoss, TripletAccuracy), with the final
   report on the held-out triplets (3 seeds).
3. The search exported the best policy as a solver and net; the same
   export is made for no augmentation. `caffe train` trains both.
4. `caffe test` scores both trained nets on the held-out test triplets:
   TripletAccuracy, the fraction of triplets with d(anchor, positive) <
   d(anchor, negative). The last two lines printed are these results.

Usage: python3 triplet_story.py WORK_DIR (PYTHONPATH=build/python; the
caffe tool from $CAFFE_TOOL or build/tools/caffe). A few minutes on 2 cores.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

from caffe.search import nets
from caffe.search.export import export
from search_digits import digits_28x28

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def caffe_tool():
    return os.environ.get('CAFFE_TOOL') or os.path.join(ROOT, 'build', 'tools', 'caffe')


def run(command, log_path):
    with open(log_path, 'w') as log:
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=True)
    with open(log_path) as log:
        return log.read()


def main():
    work = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'work_triplets')
    os.makedirs(work, exist_ok=True)
    images, labels = digits_28x28()
    np.save(os.path.join(work, 'x.npy'), images)
    np.save(os.path.join(work, 'y.npy'), labels)
    out = os.path.join(work, 'search')

    print('== policy search on triplets (TripletAccuracy scores the trials)')
    subprocess.run([sys.executable, '-m', 'caffe.search', '--images',
                    os.path.join(work, 'x.npy'), '--labels', os.path.join(work, 'y.npy'),
                    '--split', '300,300', '--triplets', '2', '--out', out, '--trials', '8',
                    '--startup-trials', '4', '--epochs', '5', '--workers', '2',
                    '--report-seeds', '3'], check=True)

    with open(os.path.join(out, 'work', 'plan.json')) as handle:
        plan = json.load(handle)
    exports = os.path.join(out, 'export')
    with open(os.path.join(exports, 'best_policy.prototxt')) as handle:
        best_block = handle.read()
    export(plan, '', exports, prefix='none')  # the same net and solver, no augmentation

    results = {}
    for prefix in ('best', 'none'):
        print('== caffe train -solver %s_solver.prototxt' % prefix)
        run([caffe_tool(), 'train', '-solver', os.path.join(exports, '%s_solver.prototxt'
                                                            % prefix)],
            os.path.join(work, 'train_%s.log' % prefix))
        # The held-out net: the exported one with its TEST layer on the test set.
        test_net = nets.read_net(os.path.join(exports, '%s_train_val.prototxt' % prefix))
        test_batch = nets.eval_batch(plan['test']['records'])
        for layer in nets.data_layers(test_net)[1]:
            layer.triplet_data_param.source = plan['test']['path']
            layer.triplet_data_param.batch_size = test_batch
        test_path = os.path.join(work, '%s_heldout.prototxt' % prefix)
        with open(test_path, 'w') as handle:
            handle.write(nets.net_text(test_net))
        weights = os.path.join(exports, '%s_iter_%d.caffemodel'
                               % (prefix, plan['epochs'] * plan['iters_per_epoch']))
        log = run([caffe_tool(), 'test', '-model', test_path, '-weights', weights,
                   '-iterations', str(-(-plan['test']['records'] // test_batch))],
                  os.path.join(work, 'test_%s.log' % prefix))
        results[prefix] = float(re.findall(r'\] accuracy = ([0-9.]+)', log)[-1])

    print('\nfound policy:\n' + best_block)
    print('held-out triplet accuracy, trained with the found policy: %.2f%%'
          % (100 * results['best']))
    print('held-out triplet accuracy, trained without augmentation: %.2f%%'
          % (100 * results['none']))


if __name__ == '__main__':
    main()
