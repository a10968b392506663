"""Start a deployment's processes with a log file each, watch them, stop them all.

Each process runs in its own session (process group), so stopping it also stops the
task processes and log servers it forked, and a Ctrl-C in the terminal reaches only the
supervisor, which then stops everything in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from jet.runtime.deployment import Component


class ComponentExited(RuntimeError):
    """A process of the stack ended although nobody stopped it."""

    def __init__(self, name: str, returncode: int, log: Path) -> None:
        self.name, self.returncode, self.log = name, returncode, log
        super().__init__(f"{name} exited with status {returncode}; its log: {log}\n{tail(log)}")


def tail(path: Path, lines: int = 25) -> str:
    """The last ``lines`` lines of a log, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Running:
    component: Component
    process: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]


class Stack:
    """Processes started with :meth:`start`, stopped together by :meth:`stop` (or ``with``)."""

    def __init__(self, log_dir: Path, env: Mapping[str, str]) -> None:
        self.log_dir = log_dir
        self.env = dict(env)
        self.running: list[Running] = []

    def start(self, component: Component, cwd: Path | None = None) -> Path:
        """Start ``component`` with its output appended to ``<log_dir>/<name>.log``; that path."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{component.name}.log"
        handle = log.open("ab")
        handle.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(component.argv)}\n".encode())
        handle.flush()
        process = subprocess.Popen(
            list(component.argv),
            env={**self.env, **component.env},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(Running(component, process, log, handle))
        return log

    def logs(self) -> dict[str, Path]:
        return {r.component.name: r.log for r in self.running}

    def check(self) -> None:
        """Raise :class:`ComponentExited` for the first process that has ended."""
        for r in self.running:
            code = r.process.poll()
            if code is not None:
                raise ComponentExited(r.component.name, code, r.log)

    def wait(self, stop: threading.Event, every: float = 1.0) -> None:
        """Block until ``stop`` is set, raising as soon as a process ends by itself."""
        while not stop.wait(every):
            self.check()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM every process group (last started first), SIGKILL what is left after ``timeout``."""
        for r in reversed(self.running):
            _signal_group(r.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for r in reversed(self.running):
            try:
                r.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(r.process, signal.SIGKILL)
                r.process.wait(timeout=10)
            # Task processes or log servers the component forked and left behind.
            _signal_group(r.process, signal.SIGKILL)
            r.handle.close()
        self.running.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has already gone
        os.killpg(process.pid, sig)
