#!/usr/bin/env python3
"""Side-by-side `caffe time` of the engine on four nets.

For each net and thread count, runs `caffe time -model NET -iterations N` of
every contender in turn, round after round (A B C, B C A, C A B, ...), so that
the machine's load drifts over all of them alike, and reports the median
forward and forward+backward times of each and their ratios to the baseline.

Contenders:
  oneDNN    --caffe BIN with its default engine (oneDNN when built with it)
  CAFFE     --caffe BIN with CAFFE_ENGINE=CAFFE (the reference im2col+BLAS path)
  baseline  --baseline BIN, another build (e.g. main at commit 09cf0ef),
            when given

Thread counts are set for every contender through the environment:
CAFFE_BLAS_THREADS (ours: OpenBLAS and oneDNN), OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS (any build).

  python3 benchmarks/engine_bench.py --caffe build/tools/caffe \\
      --baseline /path/to/baseline/build/tools/caffe [--threads 1,2] [--rounds 5]
      [--nets lenet,cifar10_quick,caffenet,resnet_block] [--no-reference]
      [--markdown out.md]

Prints a Markdown table (also written to --markdown) with the command line,
the CPU, and the load average before and after. Timings belong in
docs/benchmarks.md, never in tests.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NETS_DIR = os.path.join(HERE, "engine_nets")
# Iterations per `caffe time` run: each run takes a few seconds on one core.
ITERATIONS = {"lenet": 50, "cifar10_quick": 20, "caffenet": 4, "resnet_block": 4}

FORWARD = re.compile(r"Average Forward pass: ([0-9.]+) ms")
FORWARD_BACKWARD = re.compile(r"Average Forward-Backward: ([0-9.]+) ms")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average():
    return "%.2f %.2f %.2f" % os.getloadavg()


def run_time(binary, net, iterations, threads, extra_env):
    env = dict(os.environ)
    env.update({
        "CAFFE_BLAS_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "OMP_NUM_THREADS": str(threads),
        "GLOG_logtostderr": "1",
        "GLOG_minloglevel": "0",
    })
    env.update(extra_env)
    command = [binary, "time", "-model", os.path.join(NETS_DIR, net + ".prototxt"),
               "-iterations", str(iterations)]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    forward = FORWARD.search(result.stdout)
    both = FORWARD_BACKWARD.search(result.stdout)
    if result.returncode != 0 or not forward or not both:
        sys.exit("failed: %s\n%s" % (" ".join(command), result.stdout[-3000:]))
    return float(forward.group(1)), float(both.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--caffe", required=True, help="this build's caffe binary")
    parser.add_argument("--baseline", help="another build's caffe binary")
    parser.add_argument("--nets", default="lenet,cifar10_quick,caffenet,resnet_block")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--no-reference", action="store_true",
                        help="leave out the CAFFE contender (the reference path), to save time")
    args = parser.parse_args()

    contenders = [("oneDNN", args.caffe, {})]
    if not args.no_reference:
        contenders.append(("CAFFE", args.caffe, {"CAFFE_ENGINE": "CAFFE"}))
    if args.baseline:
        contenders.append(("baseline", args.baseline, {}))
    nets = args.nets.split(",")
    thread_counts = [int(t) for t in args.threads.split(",")]

    lines = []
    # Variables that change how the contenders' threads behave belong in the command.
    settings = ["%s=%s" % (name, os.environ[name]) for name in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
                if name in os.environ]
    lines.append("Command: `%s`" % " ".join(settings + [os.path.relpath(sys.argv[0])] +
                                            sys.argv[1:]))
    lines.append("")
    lines.append("CPU: %s, %d logical cores; started %s, load average %s" %
                 (cpu_model(), os.cpu_count(), time.strftime("%Y-%m-%d %H:%M"), load_average()))
    lines.append("")
    header = "| net | threads |"
    rule = "|---|---|"
    for name, _, _ in contenders:
        header += " %s fwd / fwd+bwd (ms) |" % name
        rule += "---|"
    if args.baseline:
        for name, _, _ in contenders[:-1]:
            header += " %s / baseline (fwd+bwd) |" % name
            rule += "---|"
    lines.append(header)
    lines.append(rule)
    print("\n".join(lines), flush=True)

    for net in nets:
        for threads in thread_counts:
            samples = {name: [] for name, _, _ in contenders}
            for round_index in range(args.rounds):
                shift = round_index % len(contenders)
                for name, binary, env in contenders[shift:] + contenders[:shift]:
                    samples[name].append(run_time(binary, net, ITERATIONS[net], threads, env))
            medians = {name: (statistics.median(s[0] for s in runs),
                              statistics.median(s[1] for s in runs))
                       for name, runs in samples.items()}
            row = "| %s | %d |" % (net, threads)
            for name, _, _ in contenders:
                row += " %.1f / %.1f |" % medians[name]
            if args.baseline:
                for name, _, _ in contenders[:-1]:
                    row += " %.2fx |" % (medians[name][1] / medians["baseline"][1])
            lines.append(row)
            print(row, flush=True)

    tail = "\nMedians of %d alternating runs each; load average at the end %s." % (
        args.rounds, load_average())
    lines.append(tail)
    print(tail)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
