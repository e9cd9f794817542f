"""A worker process sharing a :class:`RedisLimiter` with the test and with other workers.

Started as ``python limiter_worker.py --redis URL --prefix P --limits JSON --business B``.
Modes:
- ``load``: prints ``ready``, waits for a line on stdin (so that every worker starts
  together), then runs ``--threads`` threads of ``--calls`` grants each, recorded by
  :class:`support.limiter_load.Tracker`; prints ``{"granted": n}``.
- ``hold``: takes a request slot and the business's write lock, prints ``held`` and sleeps
  until it is killed (its leases are renewed meanwhile).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import redis

# Run as a script, this folder is first on sys.path.
from limiter_load import Tracker, run_load

from unified_accounting.http import LimitScope, RateLimits, RedisLimiter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--limits", required=True)
    parser.add_argument("--business", default="biz-1")
    parser.add_argument("--mode", choices=("load", "hold"), default="load")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--hold", type=float, default=0.02)
    parser.add_argument("--lease-ttl", type=float, default=30.0)
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis)
    limiter = RedisLimiter(RateLimits(**json.loads(args.limits)), client, prefix=args.prefix,
                           lease_ttl=args.lease_ttl, poll_interval=0.01)
    scope = LimitScope("app", args.business)
    if args.mode == "hold":
        with limiter.acquire(scope, timeout=10), limiter.sequential(scope, timeout=10):
            print("held", flush=True)
            time.sleep(600)
        return
    print("ready", flush=True)
    sys.stdin.readline()
    granted = run_load(limiter, Tracker(client, args.prefix), scope, threads=args.threads,
                       calls=args.calls, hold=args.hold)
    print(json.dumps({"granted": granted}), flush=True)


if __name__ == "__main__":
    main()
