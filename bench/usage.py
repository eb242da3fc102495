"""API requests with usage counting (AC6/BI4) against the same requests without it, in one run.

    python bench/usage.py [--quick] [--postgres]

Two in-process clients send the same authenticated API request (an organization's shift
types): one through the full middleware stack, one through the same stack without
``UsageMiddleware``. Counting is a dict increment under a lock; the counts are written in one
upsert per organization and day at most every OFFICIUM_USAGE_FLUSH_SECONDS (1 s here, so the
flushes fall inside the timed runs). Rounds alternate the two; each figure is the best round.
Goal: counted requests take at most 1.1x the uncounted ones.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import parse, result, setup  # noqa: E402


def main() -> int:
    args = parse(__doc__.splitlines()[0])
    os.environ["OFFICIUM_USAGE_FLUSH_SECONDS"] = "1"
    vendor = setup(postgres=args.postgres or os.environ.get("DATABASE_URL", "").startswith("postgres"))
    from django.conf import settings
    from django.test import Client, override_settings

    from officium.accounts import services
    from officium.accounts.models import Membership, Organization, User
    from officium.accounts.roles import Role
    from officium.billing.models import UsageDay
    from officium.billing.usage import counters

    org = Organization.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("owner@bench.example", None, is_active=True)
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    _, raw = services.create_api_token(user, "bench")
    url = "/api/workforce/orgs/bench/shift-types"
    headers = {"authorization": f"Bearer {raw}"}

    counted = Client(headers=headers)
    assert counted.get(url).status_code == 200
    plain = Client(headers=headers)
    without = [m for m in settings.MIDDLEWARE if not m.endswith("UsageMiddleware")]
    with override_settings(MIDDLEWARE=without):
        assert plain.get(url).status_code == 200  # the handler keeps this middleware chain

    requests = 60 if args.quick else 400
    rounds = 3 if args.quick else 7

    def run(client: Client) -> float:
        started = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        return time.perf_counter() - started

    plain_times, counted_times = [], []
    for _ in range(rounds):
        plain_times.append(run(plain))
        counted_times.append(run(counted))
        time.sleep(0.2)
    counters.flush()
    calls = UsageDay.objects.get(organization=org).api_calls
    assert calls == 1 + rounds * requests, (calls, rounds * requests)
    raw_s, ours_s = min(plain_times), min(counted_times)
    print(f"{requests} API requests on {vendor}, best of {rounds} rounds")
    print(f"  without counting {raw_s / requests * 1000:8.3f} ms/request")
    print(f"  with counting    {ours_s / requests * 1000:8.3f} ms/request ({calls} calls written)")
    print(f"  ratio            {ours_s / raw_s:8.3f}x  (goal <= 1.1x)")
    result("usage", ratio=ours_s / raw_s, counted_ms=ours_s / requests * 1000, plain_ms=raw_s / requests * 1000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
