"""The command line: `python -m caffe.search` or `caffe-search`.

    caffe-search --images x.npy --labels y.npy --split 300,300 --out search_out
    caffe-search --train train_lmdb --val val_lmdb --test test_lmdb --out search_out \\
                 --net train_val.prototxt --space randaugment --trials 40 --workers 2

Re-running the same command resumes the search. Run it on several machines
with the same --storage database URL to share one study. docs/search.md
describes every option.
"""
import argparse
import sys

from ..errors import CaffeError
from . import ops as _ops
from .config import SearchConfig
from .rewards import REWARDS
from .samplers import PRUNERS, SAMPLERS


def _split(text):
    try:
        values = [int(part) for part in text.split(',')]
    except ValueError:
        raise argparse.ArgumentTypeError('expected TRAIN,VAL[,TEST] record counts, got %r'
                                         % text) from None
    if len(values) not in (2, 3):
        raise argparse.ArgumentTypeError('expected TRAIN,VAL[,TEST], got %r' % text)
    return values


def _named_policy(text):
    if '=' not in text:
        raise argparse.ArgumentTypeError('expected NAME=POLICY_FILE, got %r' % text)
    name, path = text.split('=', 1)
    return name, path


def parser():
    p = argparse.ArgumentParser(
        prog='caffe-search',
        description='Search an augmentation policy for your data with child trainings on the '
                    'caffe engine (Optuna for sampling, pruning and storage). Re-run the same '
                    'command to resume.')
    p.add_argument('--out', required=True, help='output folder (records, plots, export, '
                   'the default journal storage)')
    data = p.add_argument_group('data')
    data.add_argument('--train', help='training database (Datum or TripletDatum; LMDB or LevelDB)')
    data.add_argument('--val', help='validation database (scores the trials)')
    data.add_argument('--test', help='held-out test database for the final report')
    data.add_argument('--data', help='one Datum database to split with --split')
    data.add_argument('--images', help='.npy of N x H x W (x C) images (RGB, uint8 or float)')
    data.add_argument('--labels', help='.npy of N integer class labels')
    data.add_argument('--split', type=_split, help='TRAIN,VAL[,TEST] record counts (test: the '
                      'rest when omitted)')
    data.add_argument('--split-seed', type=int, default=0, help='seed of the split (default 0)')
    data.add_argument('--bgr', action='store_true', help='--images are BGR, not RGB')
    data.add_argument('--triplets', type=int, default=0, metavar='K',
                      help='write --images as triplets, K per anchor, and search a triplet net')
    child = p.add_argument_group('child training')
    child.add_argument('--net', default='basic', help="'basic', 'wrn_<depth>_<width>' or your "
                       'train/val prototxt (default: basic)')
    child.add_argument('--solver', help='child solver prototxt (default: SGD, lr 0.05 falling linearly to '
                       '0, momentum 0.9, weight decay 5e-4)')
    child.add_argument('--batch-size', type=int, help='training batch (default: 32, or your '
                       "net's)")
    child.add_argument('--score', default='accuracy', help='blob that scores a trial '
                       '(default: accuracy)')
    child.add_argument('--epochs', type=int, default=10)
    child.add_argument('--samples', type=int, default=1, help='trainings per trial, with '
                       'different seeds, averaged')
    child.add_argument('--pretrain-epochs', type=int, default=0, help='train once without '
                       'augmentation first; every trial starts from those weights')
    search = p.add_argument_group('search')
    search.add_argument('--space', default='deepaugment', help='deepaugment, randaugment, '
                        'trivialaugment or a JSON space file (default: deepaugment)')
    search.add_argument('--ops', help='comma-separated ops for a built-in space (default: all '
                        'the engine has: %s)' % ','.join(_ops.available_ops()))
    search.add_argument('--sampler', choices=SAMPLERS, default='tpe')
    search.add_argument('--seed', type=int, default=0)
    search.add_argument('--startup-trials', type=int, default=10, help='random trials before '
                        'TPE/GP model the results')
    search.add_argument('--trials', type=int, default=20, help='total trials, warm start '
                        'included')
    search.add_argument('--reward', choices=REWARDS, default='deepaugment')
    search.add_argument('--reward-k', type=int, default=3)
    search.add_argument('--reward-margin', type=float, default=0.10)
    search.add_argument('--pruner', choices=PRUNERS, default='median')
    search.add_argument('--no-warm-start', action='store_true', help='do not enqueue no '
                        'augmentation, TrivialAugment and RandAugment(2, 9) first')
    search.add_argument('--enqueue', action='append', default=[], metavar='POLICY',
                        help='an AugmentationParameter prototxt file to try early (repeatable)')
    run = p.add_argument_group('storage and processes')
    run.add_argument('--storage', help='Optuna storage URL (sqlite:///f.db, '
                     'postgresql://user:pw@host/db) or journal file (default: OUT/study.journal)')
    run.add_argument('--study-name', default='caffe-search')
    run.add_argument('--workers', type=int, default=1, help='local worker processes')
    run.add_argument('--heartbeat-grace', type=float, default=60.0, help='seconds without a '
                     'heartbeat before another machine\'s trial counts as dead')
    run.add_argument('--quiet', action='store_true', help='no per-trial progress lines')
    final = p.add_argument_group('final report (needs a test set)')
    final.add_argument('--report-seeds', type=int, default=5)
    final.add_argument('--report-epochs', type=int, help='(default: --epochs)')
    final.add_argument('--report-train', choices=('train+val', 'train'), default='train+val')
    final.add_argument('--report-policy', type=_named_policy, action='append', default=[],
                       metavar='NAME=FILE', help='another policy to retrain in the report')
    return p


def config_from_args(args):
    return SearchConfig(
        out=args.out, train=args.train, val=args.val, test=args.test, data=args.data,
        images=args.images, labels=args.labels, split=args.split, split_seed=args.split_seed,
        channel_order='bgr' if args.bgr else 'rgb', triplets_per_anchor=args.triplets,
        net=args.net, solver=args.solver, batch_size=args.batch_size, score=args.score,
        epochs=args.epochs, samples=args.samples, pretrain_epochs=args.pretrain_epochs,
        space=args.space, ops=args.ops, sampler=args.sampler, seed=args.seed,
        startup_trials=args.startup_trials, trials=args.trials, reward=args.reward,
        reward_k=args.reward_k, reward_margin=args.reward_margin, pruner=args.pruner,
        warm_start=not args.no_warm_start, enqueue=args.enqueue, storage=args.storage,
        study_name=args.study_name, workers=args.workers,
        heartbeat_grace=args.heartbeat_grace, report_seeds=args.report_seeds,
        report_epochs=args.report_epochs, report_train=args.report_train,
        report_policies=dict(args.report_policy), quiet=args.quiet)


def main(argv=None):
    args = parser().parse_args(argv)
    from .runner import run
    try:
        run(config_from_args(args))
    except CaffeError as error:
        sys.stderr.write('caffe-search: error: %s\n' % error)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write('caffe-search: interrupted; run the same command again to resume\n')
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
