"""``python -m jet_sandbox serve ...`` — run the sandbox under uvicorn (single worker)."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from jet_sandbox.server import create_app
from jet_sandbox.util import parse_ts


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m jet_sandbox", description="Jet merchant API sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8089)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--scenario", default="default")
    serve.add_argument("--clock", choices=["manual", "real"], default="manual")
    serve.add_argument("--start", default=None, help="clock start instant, ISO-8601")
    serve.add_argument("--user", default=os.environ.get("JET_API_USER") or "jetflow-sandbox")
    serve.add_argument("--secret", default=os.environ.get("JET_API_SECRET") or "sandbox-secret")
    serve.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)

    app = create_app(
        seed=args.seed,
        scenario=args.scenario,
        clock_mode=args.clock,
        user=args.user,
        secret=args.secret,
        start=parse_ts(args.start) if args.start else None,
    )
    print(
        f"jet_sandbox on http://{args.host}:{args.port} (api: /api, admin: /_sandbox) "
        f"seed={args.seed} scenario={args.scenario} clock={args.clock}",
        file=sys.stderr,
        flush=True,
    )
    # One worker on purpose: all state lives in this process (see docs/sandbox.md, "Concurrency").
    # A short graceful shutdown: a request stuck in a `hang` fault must not hold the exit.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        workers=1,
        timeout_graceful_shutdown=2,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
