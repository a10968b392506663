"""Requests per second one sandbox process serves for order-detail GETs.

``python -m jet_sandbox.bench_rps [--orders 600] [--requests 20000] [--connections 16]``

Starts a sandbox subprocess (scenario ``busy``), takes a token, then drives keep-alive
connections with a minimal asyncio HTTP/1.1 client (a heavier client would measure
itself on a 2-core machine rather than the server). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from jet_sandbox.testing import SandboxProcess


async def _worker(port: int, paths: list[str], token: str, counter: list[int], stop_at: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        i = 0
        while counter[0] < stop_at:
            counter[0] += 1
            path = paths[i % len(paths)]
            i += 1
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                "Accept: application/json\r\n\r\n"
            )
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                raise RuntimeError(f"GET {path} -> {status}")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
    finally:
        writer.close()
        await writer.wait_closed()


async def _run(port: int, paths: list[str], token: str, total: int, connections: int) -> float:
    counter = [0]
    started = time.perf_counter()
    await asyncio.gather(*(_worker(port, paths, token, counter, total) for _ in range(connections)))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print ``{"rps": ..., ...}``."""
    parser = argparse.ArgumentParser(prog="python -m jet_sandbox.bench_rps")
    parser.add_argument("--orders", type=int, default=600, help="ready orders to read (scenario busy has 600)")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)

    with SandboxProcess(seed=42, scenario="busy", clock="manual") as sandbox:
        headers = sandbox.auth_headers()
        urls = httpx.get(f"{sandbox.api_url}/orders/ready", headers=headers).json()["order_urls"][: args.orders]
        paths = ["/api" + url for url in urls]
        token = headers["Authorization"].split(" ", 1)[1]
        asyncio.run(_run(sandbox.port, paths, token, min(2000, args.requests), args.connections))  # warm-up
        elapsed = asyncio.run(_run(sandbox.port, paths, token, args.requests, args.connections))
    result = {
        "endpoint": "GET /api/orders/withoutShipmentDetail/{id}",
        "orders": len(paths),
        "requests": args.requests,
        "connections": args.connections,
        "seconds": round(elapsed, 3),
        "rps": round(args.requests / elapsed, 1),
    }
    print(json.dumps(result))  # noqa: T201 - the benchmark's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
