"""Images per second of the data layers, read from an LMDB, for our `caffe`
binary and for a second one given by path (the baseline), side by side.

The data set is the one of issue 12: 2,000 random 256x256 RGB crops of
scikit-learn's two sample photos (`sklearn.datasets.load_sample_images`),
JPEG-encoded (OpenCV, quality 95) into a Datum LMDB with convert_imageset,
and the same crops as 2,000 triplets (anchor i, positive i+1, negative i+2)
in a TripletDatum LMDB with convert_triplet_db.

Cases (each a net holding only the data layer, timed with `caffe time`,
forward only since a data layer has no backward work):
  data:    Data, crop 227, mirror, mean values, batch 256;
  raw:     the same on the same crops stored raw (not encoded), whose speed
           is bounded by memory bandwidth: the table states the fraction of
           it reached (see --cases and memory_bandwidth below);
  triplet: TripletData, batch 86 triplets (258 images), with the full
           augmentation pipeline: rotation +-15, scale 0.9-1.1, shear +-10,
           horizontal flip p=0.5, random crop 227, brightness 0.2,
           contrast 0.2, gaussian noise std 8, then mean values.
Each case runs with 1 and 2 decode threads (num_threads) where the binary
has the field (the baseline's Data layer decodes on its one prefetch
thread, whatever the setting).

Two numbers per run:
  images/s         - images per second of wall time in the steady state,
                     from `caffe time`'s average forward pass (the forward
                     waits for the prefetch thread, so it measures the data
                     path's throughput);
  images/CPU-s     - images per second of CPU time of the whole process
                     (user + system, all threads), with start-up and
                     shut-down removed: the CPU time of a run of
                     `--batches` forwards minus that of a run of
                     `--short-batches`, over the images between them.
                     This is "per core used".
Runs of the two binaries alternate; the table gives medians over
`--repeats` and the ratios ours / baseline.

    python3 benchmarks/data_bench.py --baseline /path/to/old/build/tools/caffe

Needs scikit-learn, numpy and OpenCV's Python module (cv2) to build the data
set; the work directory keeps it between runs.
"""
import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

MEAN_VALUES = (104, 117, 123)
FULL_AUGMENTATION = """
  augmentation_param {
    random_seed: 1 crop_size: 227 rotation: 15 scale_min: 0.9 scale_max: 1.1
    shear_x: 10 shear_y: 10 hflip_prob: 0.5 brightness: 0.2 contrast: 0.2 noise_std: 8
  }"""


def build_dataset(work, tools, count, size):
    """JPEG crops, their list files, and the two LMDBs (kept when present)."""
    datum_db = os.path.join(work, 'datum_lmdb')
    raw_db = os.path.join(work, 'raw_lmdb')
    triplet_db = os.path.join(work, 'triplet_lmdb')
    if all(os.path.isdir(db) for db in (datum_db, raw_db, triplet_db)):
        return datum_db, raw_db, triplet_db
    import cv2
    import numpy as np
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    rng = np.random.default_rng(12)
    images = os.path.join(work, 'images')
    os.makedirs(images, exist_ok=True)
    names = []
    for index in range(count):
        photo = photos[index % len(photos)]
        top = rng.integers(0, photo.shape[0] - size + 1)
        left = rng.integers(0, photo.shape[1] - size + 1)
        crop = np.ascontiguousarray(photo[top:top + size, left:left + size, ::-1])
        name = '%05d.jpg' % index
        if not cv2.imwrite(os.path.join(images, name), crop, [cv2.IMWRITE_JPEG_QUALITY, 95]):
            sys.exit('cannot write ' + name)
        names.append(name)
    image_list = os.path.join(work, 'images.txt')
    with open(image_list, 'w') as out:
        for index, name in enumerate(names):
            out.write('%s %d\n' % (name, index % 10))
    triplet_list = os.path.join(work, 'triplets.txt')
    with open(triplet_list, 'w') as out:
        for index, name in enumerate(names):
            out.write('%s %s %s %d\n' % (name, names[(index + 1) % count],
                                         names[(index + 2) % count], index % 10))
    for db in (datum_db, raw_db, triplet_db):
        shutil.rmtree(db, ignore_errors=True)
    subprocess.run([os.path.join(tools, 'convert_imageset'), '-backend', 'lmdb', '-encoded',
                    images + '/', image_list, datum_db], check=True, stderr=subprocess.DEVNULL)
    subprocess.run([os.path.join(tools, 'convert_imageset'), '-backend', 'lmdb',
                    images + '/', image_list, raw_db], check=True, stderr=subprocess.DEVNULL)
    subprocess.run([os.path.join(tools, 'convert_triplet_db'), '-backend', 'lmdb', '-encoded',
                    images + '/', triplet_list, triplet_db], check=True,
                   stderr=subprocess.DEVNULL)
    return datum_db, raw_db, triplet_db


def net_text(case, source, threads, threads_field):
    mean = ' '.join('mean_value: %d' % value for value in MEAN_VALUES)
    thread_line = 'num_threads: %d' % threads if threads_field else ''
    if case in ('data', 'raw'):
        return """name: "data_bench"
layer {
  name: "data" type: "Data" top: "data" top: "label"
  include { phase: TRAIN }
  transform_param { crop_size: 227 mirror: true %s }
  data_param { source: "%s" backend: LMDB batch_size: 256 %s }
}
""" % (mean, source, thread_line)
    return """name: "triplet_bench"
layer {
  name: "data" type: "TripletData" top: "data" top: "label"
  include { phase: TRAIN }
  transform_param { %s }%s
  triplet_data_param { source: "%s" backend: LMDB batch_size: 86 %s }
}
""" % (mean, FULL_AUGMENTATION, source, thread_line)


# What the raw case must move per image at the least: read the record's
# pixels, write the float crop into the batch.
RAW_BYTES_READ = 256 * 256 * 3
RAW_BYTES_WRITTEN = 3 * 227 * 227 * 4


def memory_bandwidth(megabytes=256, copies=4):
    """Bytes per CPU-second one core moves copying a buffer far larger than
    the caches (numpy's copy, i.e. memmove: every byte read and written, so
    both count)."""
    import numpy as np
    size = megabytes << 20
    source = np.ones(size, np.uint8)
    target = np.zeros(size, np.uint8)
    np.copyto(target, source)
    start = time.process_time()
    for _ in range(copies):
        np.copyto(target, source)
    return 2.0 * size * copies / (time.process_time() - start)


def images_per_batch(case):
    return 86 * 3 if case == 'triplet' else 256


def run_caffe(binary, model, batches):
    """(average forward ms, CPU seconds of the whole process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([binary, 'time', '-model', model, '-iterations', str(batches),
                             '-phase', 'TRAIN'],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit('%s failed on %s:\n%s' % (binary, model, result.stdout[-3000:]))
    match = re.search(r'Average Forward pass: ([0-9.eE+-]+) ms', result.stdout)
    if not match:
        sys.exit('no forward time in the output of %s:\n%s' % (binary, result.stdout[-3000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(match.group(1)), cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--caffe', default=os.path.join(ROOT, 'build', 'tools', 'caffe'))
    parser.add_argument('--baseline', required=True, help="the other caffe binary")
    parser.add_argument('--tools', default=os.path.join(ROOT, 'build', 'tools'),
                        help='directory of convert_imageset and convert_triplet_db')
    parser.add_argument('--work', default=os.path.join(ROOT, 'build', 'data_bench'))
    parser.add_argument('--images', type=int, default=2000)
    parser.add_argument('--batches', type=int, default=40)
    parser.add_argument('--short-batches', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', default='1,2')
    parser.add_argument('--cases', default='data,raw,triplet')
    parser.add_argument('--baseline-data-threads', action='store_true',
                        help="the baseline's Data layer takes data_param.num_threads")
    args = parser.parse_args()

    os.makedirs(args.work, exist_ok=True)
    datum_db, raw_db, triplet_db = build_dataset(args.work, args.tools, args.images, 256)
    sources = {'data': datum_db, 'raw': raw_db, 'triplet': triplet_db}
    threads = [int(value) for value in args.threads.split(',')]
    binaries = {'ours': args.caffe, 'baseline': args.baseline}

    # Every (case, threads, binary) configuration and its model file.
    configs = []
    for case in args.cases.split(','):
        for count in threads:
            for label, binary in binaries.items():
                field = case == 'triplet' or label == 'ours' or args.baseline_data_threads
                model = os.path.join(args.work, '%s_%s_t%d.prototxt' % (case, label, count))
                with open(model, 'w') as out:
                    out.write(net_text(case, sources[case], count, field))
                configs.append((case, count, label, binary, model))

    print('load average before: %s' % ' '.join('%.2f' % v for v in os.getloadavg()))
    samples = {config[:3]: ([], []) for config in configs}
    bandwidths = []
    for repeat in range(args.repeats):
        if 'raw' in args.cases.split(','):
            bandwidths.append(memory_bandwidth())
            print('  repeat %d memory copy bandwidth of one core: %.1f GB/s (read + write)' %
                  (repeat + 1, bandwidths[-1] / 1e9), flush=True)
        for case, count, label, binary, model in configs:
            forward_ms, cpu_long = run_caffe(binary, model, args.batches)
            _, cpu_short = run_caffe(binary, model, args.short_batches)
            batch = images_per_batch(case)
            rate = batch / (forward_ms / 1000.0)
            cpu_rate = (args.batches - args.short_batches) * batch / max(cpu_long - cpu_short, 1e-9)
            samples[(case, count, label)][0].append(rate)
            samples[(case, count, label)][1].append(cpu_rate)
            print('  repeat %d %-7s threads %d %-8s %8.0f images/s %8.0f images/CPU-s' %
                  (repeat + 1, case, count, label, rate, cpu_rate), flush=True)
    print('load average after: %s' % ' '.join('%.2f' % v for v in os.getloadavg()))

    print()
    print('| case | decode threads | ours images/s | baseline images/s | ratio | '
          'ours images/CPU-s | baseline images/CPU-s | ratio |')
    print('|---|---|---|---|---|---|---|---|')
    for case in args.cases.split(','):
        for count in threads:
            ours = [statistics.median(v) for v in samples[(case, count, 'ours')]]
            base = [statistics.median(v) for v in samples[(case, count, 'baseline')]]
            print('| %s | %d | %.0f | %.0f | %.2fx | %.0f | %.0f | %.2fx |' %
                  (case, count, ours[0], base[0], ours[0] / base[0], ours[1], base[1],
                   ours[1] / base[1]))
    if bandwidths:
        bandwidth = statistics.median(bandwidths)
        print()
        print('raw records: %d bytes read and %d written per image at the least; one core '
              'copies %.1f GB/s (median), i.e. at most %.0f images/CPU-s' %
              (RAW_BYTES_READ, RAW_BYTES_WRITTEN, bandwidth / 1e9,
               bandwidth / (RAW_BYTES_READ + RAW_BYTES_WRITTEN)))
        for count in threads:
            for label in binaries:
                rate = statistics.median(samples[('raw', count, label)][1])
                print('  %s, %d threads: %.0f images/CPU-s = %.0f%% of that bound' %
                      (label, count, rate,
                       100.0 * rate * (RAW_BYTES_READ + RAW_BYTES_WRITTEN) / bandwidth))
    # The second target compares TripletData with the full pipeline
    # to the baseline's plain Data layer, per image.
    if ('data', threads[0], 'baseline') in samples and ('triplet', threads[0], 'ours') in samples:
        plain = [statistics.median(v) for v in samples[('data', threads[0], 'baseline')]]
        print()
        for count in threads:
            triplet = [statistics.median(v) for v in samples[('triplet', count, 'ours')]]
            print('ours TripletData (full pipeline, %d threads) / baseline plain Data '
                  '(%d thread): %.2fx images/s, %.2fx images/CPU-s' %
                  (count, threads[0], triplet[0] / plain[0], triplet[1] / plain[1]))


if __name__ == '__main__':
    main()
