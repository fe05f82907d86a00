#!/usr/bin/env python3
"""The triplet digits example with pycaffe only (no command-line tools):
the same data, net and evaluation as run.sh, each step a Python call.

1. scikit-learn's digits become 28x28 images (make_images.to_28x28); the
   first 1,500 train, the other 297 are held out.
2. Triplets (anchor, positive of the same digit, negative of another) are
   sampled with numpy and written to an LMDB with caffe.db's put_triplet.
3. The net (make_net: TripletData STACKED -> conv tower -> Normalize ->
   TripletLoss) is written with caffe.NetSpec, the solver with caffe_pb2,
   and trained with caffe.SGDSolver, reporting progress from a solver
   callback.
4. A deploy net (Input instead of TripletData) shares the trained weights
   (solver.share_weights) and embeds every digit with net.forward_all.
5. scikit-learn's 1-nearest-neighbour classifier on the embeddings gives the
   held-out accuracy, the number run.sh prints too.

    python3 examples/triplet_digits/train_python.py [--iters 500] [--per-anchor 10] [--out DIR]

Needs the caffe package importable (PYTHONPATH=build/python, $CAFFE_ROOT/python
or pip install .), numpy and scikit-learn. About 50 seconds on 2 cores.
"""
import argparse
import os
import shutil
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

import caffe
from caffe import layers as L, params as P
from caffe.proto import caffe_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_images import to_28x28  # noqa: E402  (the shell example's conversion)

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_COUNT = 1500


def load_images():
    digits = load_digits()
    images = np.stack([to_28x28(image) for image in digits.images]).astype(np.uint8)
    return images[:, np.newaxis], digits.target  # N x 1 x 28 x 28 uint8, labels


def sample_triplets(labels, per_anchor, rng):
    """(anchor, positive, negative) index triples: every image anchors
    `per_anchor` triplets with a random other image of its digit and a
    random image of another digit."""
    by_digit = {digit: np.flatnonzero(labels == digit) for digit in np.unique(labels)}
    triplets = []
    for anchor, digit in enumerate(labels):
        same = by_digit[digit][by_digit[digit] != anchor]
        others = np.flatnonzero(labels != digit)
        for _ in range(per_anchor):
            triplets.append((anchor, rng.choice(same), rng.choice(others)))
    order = rng.permutation(len(triplets))
    return [triplets[i] for i in order]


def write_triplet_db(path, images, labels, per_anchor, seed):
    rng = np.random.RandomState(seed)
    triplets = sample_triplets(labels, per_anchor, rng)
    with caffe.db.open(path, 'lmdb', 'new') as db:
        with db.transaction() as txn:
            for key, (a, p, n) in enumerate(triplets):
                txn.put_triplet(b'%08d' % key, images[a], images[p], images[n],
                                labels=(labels[a], labels[n]))
    return len(triplets)


def tower(n, bottom):
    """The embedding tower of triplet_train_test.prototxt (LeNet-like)."""
    learned = [dict(lr_mult=1), dict(lr_mult=2)]
    n.conv1 = L.Convolution(bottom, num_output=20, kernel_size=5, param=learned,
                            weight_filler=dict(type='xavier'), bias_filler=dict(type='constant'))
    n.pool1 = L.Pooling(n.conv1, pool=P.Pooling.MAX, kernel_size=2, stride=2)
    n.conv2 = L.Convolution(n.pool1, num_output=32, kernel_size=5, param=learned,
                            weight_filler=dict(type='xavier'), bias_filler=dict(type='constant'))
    n.pool2 = L.Pooling(n.conv2, pool=P.Pooling.MAX, kernel_size=2, stride=2)
    n.ip1 = L.InnerProduct(n.pool2, num_output=128, param=learned,
                           weight_filler=dict(type='xavier'), bias_filler=dict(type='constant'))
    n.relu1 = L.ReLU(n.ip1, in_place=True)
    n.ip2 = L.InnerProduct(n.relu1, num_output=16, param=learned,
                           weight_filler=dict(type='xavier'), bias_filler=dict(type='constant'))
    n.embedding = L.Normalize(n.ip2)
    return n.embedding


def make_net(train_db, batch_size):
    n = caffe.NetSpec()
    n.data = L.TripletData(transform_param=dict(scale=1 / 256.0),
                           triplet_data_param=dict(source=train_db, batch_size=batch_size,
                                                   layout=caffe_pb2.TripletDataParameter.STACKED))
    embedding = tower(n, n.data)
    n.loss, n.active_fraction = L.TripletLoss(embedding, ntop=2,
                                              triplet_loss_param=dict(margin=0.2))
    return n.to_proto()


def make_deploy_net(batch_size):
    n = caffe.NetSpec()
    n.data = L.Input(shape=dict(dim=[batch_size, 1, 28, 28]))
    tower(n, n.data)
    return n.to_proto()


def write_solver(path, net_path, iters, prefix):
    solver = caffe_pb2.SolverParameter(
        net=net_path, base_lr=0.01, momentum=0.9, weight_decay=0.0005, lr_policy='inv',
        gamma=0.0001, power=0.75, display=0, max_iter=iters, snapshot=0,
        snapshot_prefix=prefix, snapshot_after_train=False, random_seed=1701)
    with open(path, 'w') as handle:
        handle.write(str(solver))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--iters', type=int, default=500, help='training iterations')
    parser.add_argument('--per-anchor', type=int, default=10,
                        help='triplets sampled per training digit')
    parser.add_argument('--out', default=os.path.join(HERE, 'out', 'python'),
                        help='folder for the database, net files and weights (recreated)')
    args = parser.parse_args(argv)
    start = time.time()
    caffe.set_mode_cpu()
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)

    images, labels = load_images()
    train_images, train_labels = images[:TRAIN_COUNT], labels[:TRAIN_COUNT]
    test_images, test_labels = images[TRAIN_COUNT:], labels[TRAIN_COUNT:]
    train_db = os.path.join(args.out, 'train_triplets')
    count = write_triplet_db(train_db, train_images, train_labels, args.per_anchor, seed=1)
    print('wrote %d triplets of %d training digits to %s' % (count, len(train_labels), train_db))

    net_path = os.path.join(args.out, 'triplet_train.prototxt')
    with open(net_path, 'w') as handle:
        handle.write(str(make_net(train_db, batch_size=32)))
    solver_path = os.path.join(args.out, 'solver.prototxt')
    write_solver(solver_path, net_path, args.iters, os.path.join(args.out, 'triplet'))
    solver = caffe.SGDSolver(solver_path)

    def report():
        done = solver.iter + 1
        if done % 100 == 0 or done == args.iters:
            print('iteration %4d/%d  loss %.4f  active triplets %.2f  (%.0f s)'
                  % (done, args.iters, float(solver.net.blobs['loss'].data),
                     float(solver.net.blobs['active_fraction'].data), time.time() - start))
    solver.add_callback(None, report)
    solver.solve()

    deploy_path = os.path.join(args.out, 'deploy.prototxt')
    with open(deploy_path, 'w') as handle:
        handle.write(str(make_deploy_net(batch_size=100)))
    deploy = caffe.Net(deploy_path, caffe.TEST)
    solver.share_weights(deploy)  # the deploy net now uses the trained weights

    def embed(batch):
        return deploy.forward_all(data=batch.astype(np.float32) / 256.0)['embedding']
    train_embeddings, test_embeddings = embed(train_images), embed(test_images)
    weights = os.path.join(args.out, 'triplet_digits.caffemodel')
    deploy.save(weights)

    knn = KNeighborsClassifier(n_neighbors=1).fit(train_embeddings, train_labels)
    accuracy = knn.score(test_embeddings, test_labels)
    print('saved the embedding net to %s (%.0f s in all)' % (weights, time.time() - start))
    print('Held-out nearest-neighbour accuracy: %.4f (%d/%d)'
          % (accuracy, round(accuracy * len(test_labels)), len(test_labels)))
    return accuracy


if __name__ == '__main__':
    main()
