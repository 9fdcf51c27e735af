#!/usr/bin/env python3
"""The Python peer of the lab: asyncio.open_connection(host, port,
happy_eyeballs_delay=0.25) (getaddrinfo, then a staggered race, RFC 8305 style), with TLS
when asked. Long-lived: one JSON request per stdin line ({host, port, tls, bound}), one
JSON answer per stdout line ({ms, outcome}): ms from the call to the connected socket
(TLS: handshake done), outcome the peer's IP or what went wrong.

  peer.py CA_FILE
"""
import asyncio
import errno
import json
import ssl
import sys
import time


async def one(req, ctx):
    started = time.perf_counter()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(req["host"], req["port"], ssl=ctx if req["tls"] else None, happy_eyeballs_delay=0.25),
            req["bound"] / 1000,
        )
    except asyncio.TimeoutError:
        return {"ms": (time.perf_counter() - started) * 1000, "outcome": "bound"}
    except OSError as err:
        named = not isinstance(err, ssl.SSLError) and errno.errorcode.get(err.errno or 0)
        code = named or err.__class__.__name__
        return {"ms": (time.perf_counter() - started) * 1000, "outcome": code}
    ms = (time.perf_counter() - started) * 1000
    outcome = writer.get_extra_info("peername")[0]
    writer.transport.abort()
    return {"ms": ms, "outcome": outcome}


async def main():
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        answer = await one(json.loads(line), ctx)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


asyncio.run(main())
