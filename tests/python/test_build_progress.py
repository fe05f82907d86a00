"""scripts/build_progress.sh, the compiler launcher of `pip install .`:
it announces each compilation on the terminal (pip hides build output), is
silent without one, and always runs the compiler with its exit status."""
import os
import pty
import subprocess

from conftest import ROOT

SCRIPT = os.path.join(ROOT, 'scripts', 'build_progress.sh')


def launch(counter, *compiler):
    return [SCRIPT, str(counter), '113', '/src'] + list(compiler)


def test_without_a_terminal_it_only_runs_the_compiler(tmp_path):
    counter = tmp_path / 'count'
    counter.write_text('')
    result = subprocess.run(launch(counter, 'sh', '-c', 'echo compiled; exit 3', '-c',
                                   '/src/src/caffe/net.cpp'),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True,
                            start_new_session=True)  # no controlling terminal
    assert result.returncode == 3
    assert result.stdout == 'compiled\n' and result.stderr == ''
    assert counter.read_text() == ''


def test_on_a_terminal_each_compilation_is_announced(tmp_path):
    counter = tmp_path / 'count'
    counter.write_text('\n' * 11)  # eleven files compiled before this one
    pid, master = pty.fork()
    if pid == 0:  # the child's controlling terminal is the pty
        os.execv(SCRIPT, launch(counter, 'true', '-c', '/src/src/caffe/net.cpp'))
    output = b''
    while True:
        try:
            chunk = os.read(master, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert b'caffe build: [ 12/113] src/caffe/net.cpp' in output
    assert counter.read_text().count('\n') == 12
