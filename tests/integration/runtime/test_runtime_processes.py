"""jet.runtime against real processes and a real Redis: what `make airflow` relies on."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from jet.runtime import Component, ComponentExited, RedisUnavailable, Stack, check_redis, redis_url
from jet_sandbox.testing import free_port
from tests.helpers import poll

pytestmark = pytest.mark.integration


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie is dead (killed, waiting for an init that may never
    reap it: in a container PID 1 is often not a real init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def test_each_component_logs_to_its_own_file_and_stop_ends_what_it_forked(tmp_path: Path) -> None:
    child_pid = tmp_path / "child.pid"
    # A component that forks a long-lived child (as the scheduler forks task processes).
    forks = (
        "import subprocess, sys, pathlib; print('parent up', flush=True);"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        f"pathlib.Path({str(child_pid)!r}).write_text(str(p.pid)); p.wait()"
    )
    with Stack(tmp_path / "logs", dict(os.environ)) as stack:
        log = stack.start(Component("forker", (sys.executable, "-c", forks)))
        pid = int(poll(lambda: child_pid.exists() and child_pid.read_text(), timeout=60, what="child started"))
        assert log == tmp_path / "logs" / "forker.log"
        poll(lambda: "parent up" in log.read_text(), timeout=30, what="output in its log")
        stack.check()  # all running: nothing raised
    # The kill is sent before stop() returns; the kernel ends the process a moment later.
    poll(lambda: not alive(pid), timeout=10, what="the forked process ended with its component")


def test_a_component_that_dies_is_reported_with_its_log(tmp_path: Path) -> None:
    with Stack(tmp_path, dict(os.environ)) as stack:
        stack.start(Component("crasher", (sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)")))
        with pytest.raises(ComponentExited, match="crasher exited with status 3") as ended:
            stack.wait(threading.Event(), every=0.2)
        assert "bad config" in str(ended.value)
        assert ended.value.log == tmp_path / "crasher.log"


def test_no_redis_says_what_to_install_or_set() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with pytest.raises(RedisUnavailable) as refused:
        check_redis(url, timeout=2)
    message = str(refused.value)
    assert url in message
    assert "apt-get install redis-server" in message
    assert "JET_REDIS_URL=" in message
    assert "make airflow" in message


def test_the_machines_redis_answers() -> None:
    url = redis_url()
    try:
        check_redis(url)
    except RedisUnavailable as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis here ({exc}); the Celery runs need one")


def test_the_locked_celery_is_one_the_celery_provider_runs_with() -> None:
    """`airflow celery worker` imports this module first; with celery 5.7 it failed (no worker started)."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", "import airflow.providers.celery.executors.celery_executor_utils"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
