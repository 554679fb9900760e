"""The local stack's stop: a process that does not stop in time is killed, and its children with it."""

from __future__ import annotations

import subprocess
import sys
import time

from shared.localstack import _terminate
from tests.support.stack import process_alive

# A parent that ignores SIGTERM, as a gunicorn master still waiting for its workers would seem, with a
# child of its own; it prints the child's pid once both are running.
STUBBORN_PARENT = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_process_that_outstays_the_grace_is_killed_with_its_children():
    parent = subprocess.Popen([sys.executable, "-c", STUBBORN_PARENT], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    _terminate([("stubborn", parent)], grace_seconds=0.5)
    assert parent.returncode == -9  # killed, not waited for until it ended by itself
    deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child), "the child outlived its killed parent"


def test_a_process_that_stops_on_sigterm_is_not_killed():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    _terminate([("polite", process)], grace_seconds=10)
    assert process.returncode == -15  # SIGTERM's default action, not SIGKILL's -9
