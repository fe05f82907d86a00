"""Several machines on one study: a real PostgreSQL server (Debian's
`postgresql` package; scripts/install_deps.sh installs it) started in a
temporary folder on a free 127.0.0.1 port, three search commands sharing a
study through it, then the checks: the budget ran exactly once per slot,
nothing failed, the final report ran once per (policy, seed), and the same
command resumes without running anything. The server is stopped at the end."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import optuna  # noqa: E402 - the [search] extra, installed by run_python_tests.sh

import caffe  # noqa: E402
from caffe.search import study as study_module  # noqa: E402
from optuna.trial import TrialState  # noqa: E402

from _search_data import shapes  # noqa: E402

TRIALS = 9


def _pg_bin(name):
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/' + name))
    if not found:
        pytest.fail('PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/%s): '
                    'install Debian\'s postgresql package (scripts/install_deps.sh does)' % name)
    return found[-1]


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url():
    # PostgreSQL refuses to run as root: as root the server runs as the
    # package's `postgres` user, in a folder it owns.
    root = tempfile.mkdtemp(prefix='caffe-search-pg-')
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(root, 'postgres', 'postgres')
        as_user = ['runuser', '-u', 'postgres', '--']
    data, log = os.path.join(root, 'data'), os.path.join(root, 'server.log')
    port = _free_port()
    started = False
    try:
        subprocess.run(as_user + [_pg_bin('initdb'), '-D', data, '-A', 'trust', '-U', 'caffe',
                                  '-E', 'UTF8', '--no-sync'],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        options = '-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off' % (port, root)
        subprocess.run(as_user + [_pg_bin('pg_ctl'), '-D', data, '-o', options, '-l', log,
                                  '-w', '-t', '60', 'start'],
                       check=True, stdout=subprocess.DEVNULL, timeout=90)
        started = True
        yield 'postgresql://caffe@127.0.0.1:%d/postgres' % port
    finally:
        if started:
            subprocess.run(as_user + [_pg_bin('pg_ctl'), '-D', data, '-m', 'fast', '-w',
                                      'stop'], stdout=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _env():
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(caffe.__file__))]
        + [p for p in environ.get('PYTHONPATH', '').split(os.pathsep) if p])
    return environ


def test_three_machines_share_one_study_through_postgresql(tmp_path, postgres_url):
    images, labels = shapes(90)
    np.save(tmp_path / 'x.npy', images)
    np.save(tmp_path / 'y.npy', labels)

    def command(machine):
        # Each "machine" has its own output folder (and writes its own copy
        # of the databases); the study is shared.
        return [sys.executable, '-m', 'caffe.search', '--images', str(tmp_path / 'x.npy'),
                '--labels', str(tmp_path / 'y.npy'), '--split', '30,30', '--batch-size', '10',
                '--epochs', '3', '--trials', str(TRIALS), '--startup-trials', '3',
                '--report-seeds', '1', '--storage', postgres_url,
                '--out', str(tmp_path / ('machine%d' % machine))]

    machines = [subprocess.Popen(command(m), env=_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True)
                for m in range(3)]
    outputs = [m.communicate(timeout=300) for m in machines]
    for machine, (stdout, stderr) in zip(machines, outputs):
        assert machine.returncode == 0, stderr
    assert sum('new study' in stdout for stdout, _ in outputs) == 1

    storage = study_module.open_storage(postgres_url)
    search = optuna.load_study(study_name='caffe-search', storage=storage)
    trials = search.get_trials(deepcopy=False)
    assert len(trials) == TRIALS
    assert all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
    assert sorted(t.user_attrs[study_module.SLOT] for t in trials) == list(range(TRIALS))
    report = optuna.load_study(study_name='caffe-search.report', storage=storage)
    runs = report.get_trials(deepcopy=False)
    assert len(runs) == 4 and all(t.state == TrialState.COMPLETE for t in runs)
    assert sorted(t.user_attrs['report:candidate'] for t in runs) == \
        ['best', 'none', 'randaugment_2_9', 'trivialaugment']
    for stdout, _ in outputs:  # every machine prints the same final report
        assert 'Final report' in stdout

    again = subprocess.run(command(0), env=_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert 'resuming study' in again.stdout and '(%d of %d trials done)' % (TRIALS, TRIALS) \
        in again.stdout
    assert len(search.get_trials(deepcopy=False)) == TRIALS
    assert len(report.get_trials(deepcopy=False)) == 4
