"""A worker process that writes numbered documents through its own client.

Started as ``python numbered_writer.py --base-url URL --business B [--redis URL --prefix P]``:
prints ``ready``, waits for a line on stdin (so that every worker starts together), then runs
``--threads`` threads of ``--writes`` POSTs each, half through ``client.contacts.create``
and half through ``client.proxy``, and prints ``{"writes": n}``. With ``--redis`` the
client's limiter is a ``RedisLimiter`` on that prefix (one write lock per business for every
worker); without, each worker has its own in-process limiter.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor

# Run as a script, this folder is first on sys.path.
from sage_numbered import NUMBERED

import unified_accounting as ua
from unified_accounting.http import Limiter, LocalLimiter, RateLimits, RedisLimiter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--business", required=True)
    parser.add_argument("--redis")
    parser.add_argument("--prefix", default="ua-test:")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--writes", type=int, default=4)
    args = parser.parse_args()
    limiter: Limiter = (RedisLimiter(RateLimits(), url=args.redis, prefix=args.prefix,
                                     poll_interval=0.005)
                        if args.redis else LocalLimiter(RateLimits()))
    client = ua.connect("sage", access_token="t" * 40, business_id=args.business,
                        settings={"base_url": args.base_url}, limiter=limiter)

    def work(thread: int) -> None:
        for n in range(args.writes):
            if n % 2:
                client.contacts.create(ua.Contact(name=f"Worker {thread}-{n}", is_customer=True))
            else:
                collection = NUMBERED[(thread + n) % len(NUMBERED)]
                client.proxy.request("POST", f"/{collection}", json={"x": {"n": n}})

    print("ready", flush=True)
    sys.stdin.readline()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(work, range(args.threads)))
    print(json.dumps({"writes": args.threads * args.writes}), flush=True)
    client.close()


if __name__ == "__main__":
    main()
