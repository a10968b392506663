"""The inventory inbox: the one folder the DAG ``jet_load_inventory`` reads stock files from.

A DAG run's Params come from anyone who may trigger it, and the task reads files as the
worker: a path Param would let them read any file the worker can (``/etc/passwd``), and
the refusal would echo it. So the DAG takes a file *in the inbox*: a name or a path
relative to it (an absolute path must lie inside it). ``..``, absolute paths elsewhere,
and symbolic links that lead out of the inbox are refused before anything is opened.

The inbox is ``$JET_INVENTORY_INBOX`` if set, else ``<project>/.local/inbox`` (created on
first use; ``.local/`` is gitignored). The command line (``make load-inventory FILE=...``)
is not limited to it: its user names their own file.
"""

from __future__ import annotations

from pathlib import Path

from jet.failures import PermanentError
from jet.paths import local_dir

INBOX_ENV = "JET_INVENTORY_INBOX"
NAME_SHOWN = 80  # characters of a refused name quoted back


class OutsideInbox(PermanentError):
    """The file named is not a regular file inside the inventory inbox."""


def inbox_dir() -> Path:
    """The configured inbox folder, created if missing."""
    inbox = local_dir(INBOX_ENV, "inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    return inbox


def _shown(name: str) -> str:
    return repr(name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 3] + "...")


def resolve(name: str, inbox: Path | None = None) -> Path:
    """The real path of ``name`` in the inbox; :class:`OutsideInbox` if it is not there."""
    inbox = (inbox or inbox_dir()).resolve()
    text = name.strip()
    if not text:
        raise OutsideInbox(f"no file named: give a file name in the inventory inbox {inbox}")
    if any(ch in text for ch in "\x00\r\n"):
        raise OutsideInbox(f"file name {_shown(text)} contains a control character")
    candidate = Path(text)
    if not candidate.is_absolute():
        candidate = inbox / candidate
    real = candidate.resolve()  # follows every symbolic link, so a link out is seen as out
    if not real.is_relative_to(inbox):
        raise OutsideInbox(
            f"{_shown(text)} is outside the inventory inbox {inbox}: jet_load_inventory only reads files there "
            f"(set {INBOX_ENV} to move it); copy the file into the inbox, or load it with "
            "`make load-inventory FILE=...`"
        )
    if not real.is_file():
        present = sorted(p.name for p in inbox.iterdir() if p.is_file())[:20]
        raise OutsideInbox(
            f"no file {_shown(text)} in the inventory inbox {inbox} (files there: {', '.join(present) or 'none'})"
        )
    return real
