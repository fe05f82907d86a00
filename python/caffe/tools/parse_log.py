"""Parses a caffe training log (what `caffe train` or pycaffe's solvers
write through glog) into training and test tables, like upstream's
tools/extra/parse_log.py, for Python 3 and both glog line prefixes:

    I0210 13:39:22.381027  1234 solver.cpp:218] Iteration 100 ...      (glog < 0.6)
    I20260210 13:39:22.381027  1234 solver.cpp:218] Iteration 100 ...  (glog >= 0.6)

Command line (the same arguments and CSV files as upstream's script):

    python -m caffe.tools.parse_log LOGFILE OUTPUT_DIR [--delimiter ,] [--verbose]

writes OUTPUT_DIR/<log name>.train and .test with the columns NumIters,
Seconds, LearningRate and one column per net output (loss, accuracy, ...).
Seconds count from the line that starts solving. For a log without the year
in its prefix the year is taken from the file's modification time, as
upstream does.

From Python: parse_log(path) -> (train_rows, test_rows), lists of
OrderedDicts with those columns.
"""
import argparse
import csv
import datetime
import math
import os
import re
import sys
from collections import OrderedDict

__all__ = ['parse_log', 'save_csv_files', 'extract_datetime_from_line', 'main']

ITERATION = re.compile(r'Iteration (\d+)')
TRAIN_OUTPUT = re.compile(r'Train net output #(\d+): (\S+) = ([\.\deE+-]+|[-+]?(?:nan|inf))',
                          re.IGNORECASE)
TEST_OUTPUT = re.compile(r'Test net output #(\d+): (\S+) = ([\.\deE+-]+|[-+]?(?:nan|inf))',
                         re.IGNORECASE)
LEARNING_RATE = re.compile(r'lr = ([-+]?[0-9]*\.?[0-9]+([eE]?[-+]?[0-9]+)?)')
# Severity letter, date (MMDD or YYYYMMDD), time with microseconds.
GLOG_PREFIX = re.compile(r'^[IWEF](\d{8}|\d{4}) (\d{2}:\d{2}:\d{2}\.\d{6})')


def extract_datetime_from_line(line, year):
    """The time stamp of a glog line, or None for lines without one. `year`
    completes prefixes that carry no year."""
    match = GLOG_PREFIX.match(line.strip())
    if not match:
        return None
    date, clock = match.groups()
    if len(date) == 4:
        date = '%04d%s' % (year, date)
    return datetime.datetime.strptime(date + ' ' + clock, '%Y%m%d %H:%M:%S.%f')


def _log_year(path):
    return datetime.datetime.fromtimestamp(os.path.getmtime(path)).year


def _add_output(match, row, rows, iteration, seconds, learning_rate):
    """Adds one "... net output #k: name = value" to the current row; a row
    is complete once it has as many columns as the first one."""
    if match:
        if row is None or row['NumIters'] != iteration:
            if row is not None:
                rows.append(row)
            row = OrderedDict([('NumIters', iteration), ('Seconds', seconds),
                               ('LearningRate', learning_rate)])
        row[match.group(2)] = float(match.group(3))
    if row is not None and rows and len(row) == len(rows[0]):
        rows.append(row)
        row = None
    return row


def _fill_initial_learning_rate(rows):
    # The learning rate is logged after the first outputs, so the first row
    # has none: it is the same as the next row's.
    if len(rows) > 1 and math.isnan(rows[0]['LearningRate']):
        rows[0]['LearningRate'] = rows[1]['LearningRate']


def parse_log(path_to_log):
    """(train_rows, test_rows) of the log at `path_to_log`."""
    year = _log_year(path_to_log)
    train_rows, test_rows = [], []
    train_row = test_row = None
    iteration = -1
    learning_rate = float('nan')
    start_time = None
    with open(path_to_log, errors='replace') as log:
        for line in log:
            stamp = extract_datetime_from_line(line, year)
            if start_time is None and stamp is not None and 'Solving' in line:
                start_time = stamp
            match = ITERATION.search(line)
            if match:
                iteration = int(match.group(1))
            if iteration == -1 or stamp is None:
                continue
            if start_time is None:
                start_time = stamp
            seconds = (stamp - start_time).total_seconds()
            match = LEARNING_RATE.search(line)
            if match:
                learning_rate = float(match.group(1))
            train_row = _add_output(TRAIN_OUTPUT.search(line), train_row, train_rows, iteration,
                                    seconds, learning_rate)
            test_row = _add_output(TEST_OUTPUT.search(line), test_row, test_rows, iteration,
                                   seconds, learning_rate)
    # A last row can only be partial if the log was cut off mid-display.
    for row, rows in ((train_row, train_rows), (test_row, test_rows)):
        if row is not None and (not rows or len(row) == len(rows[0])):
            rows.append(row)
    _fill_initial_learning_rate(train_rows)
    _fill_initial_learning_rate(test_rows)
    return train_rows, test_rows


def _write_csv(path, rows, delimiter, verbose):
    if not rows:
        if verbose:
            print('Not writing %s; no lines to write' % path)
        return
    # Written under a temporary name first: no half-written CSV is left behind.
    temporary = path + '.tmp'
    with open(temporary, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)
    if verbose:
        print('Wrote %s' % path)


def save_csv_files(logfile_path, output_dir, train_rows, test_rows, delimiter=',',
                   verbose=False):
    """Writes output_dir/<log name>.train and .test."""
    name = os.path.basename(logfile_path)
    _write_csv(os.path.join(output_dir, name + '.train'), train_rows, delimiter, verbose)
    _write_csv(os.path.join(output_dir, name + '.test'), test_rows, delimiter, verbose)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m caffe.tools.parse_log',
        description='Parse a caffe training log into CSV files <log>.train and <log>.test.')
    parser.add_argument('logfile_path', help='the log file to parse')
    parser.add_argument('output_dir', help='the directory to write the CSV files to')
    parser.add_argument('--verbose', action='store_true', help='say what is written')
    parser.add_argument('--delimiter', default=',',
                        help='column delimiter of the CSV files (default ",")')
    args = parser.parse_args(argv)
    if not os.path.isfile(args.logfile_path):
        parser.error('no log file at %s' % args.logfile_path)
    if not os.path.isdir(args.output_dir):
        parser.error('output directory %s does not exist' % args.output_dir)
    train_rows, test_rows = parse_log(args.logfile_path)
    save_csv_files(args.logfile_path, args.output_dir, train_rows, test_rows, args.delimiter,
                   args.verbose)
    return 0


if __name__ == '__main__':
    sys.exit(main())
