"""Jet API sandbox: a faithful, stateful simulator of Jet.com's merchant API.

Run it with ``python -m jet_sandbox serve``; drive it from tests with
:class:`jet_sandbox.testing.SandboxProcess`. The contract is in ``README.md`` next to
this file and the behaviour notes in ``docs/sandbox.md``.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
