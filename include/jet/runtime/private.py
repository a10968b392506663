"""Files that hold secrets, readable by their owner only from the first byte."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: Mode of every file the setup writes that holds a secret.
PRIVATE_MODE = 0o600


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, replacing any older file atomically.

    The file is created with its mode (never chmod-ed after the secret is in it), under a
    temporary name then renamed: a reader sees the old file or the new one, and an older
    file that was world-readable is replaced by a private one instead of being rewritten
    in place with its old mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):  # left by a setup killed half way
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def is_private(path: Path) -> bool:
    """Whether nobody but the owner may read or write ``path``."""
    return path.stat().st_mode & 0o077 == 0
