"""schemathesis over the API's OpenAPI document: counts of server errors and schema violations.

Every operation is called with generated inputs, valid ones (positive) and invalid ones
(negative), through the WSGI application on a fresh database seeded with one organization:
as a member and as an owner (each with an API token), and device operations with a device
token. Each answer is checked by schemathesis: no 5xx (``not_a_server_error``), and the status,
content type, headers and body conform to the document (the ``*_conformance`` checks). The
goal is 0 and 0.

    .venv/bin/python bench/api_fuzz.py            # over 1,000 cases per role
    .venv/bin/python bench/api_fuzz.py --quick    # a small pass (CI); last line RESULT ...

The test suite runs a bounded pass with a fixed seed (tests/test_api_errors.py) through
``fuzz``, the function below.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))



@dataclass
class Tally:
    cases: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.cases += other.cases
        self.server_errors += other.server_errors
        self.schema_violations += other.schema_violations
        self.statuses.update(other.statuses)
        self.findings.extend(other.findings)


def fuzz(app: Any, headers_for: Callable[[str], dict[str, str]], *, examples: int, seed: int,
         path_parameters: dict[str, Any] | None = None, budget_s: float | None = None) -> Tally:
    """Call every operation ``examples`` times per generation mode; count what fails.

    ``headers_for(path)`` gives the authentication headers for an operation's path;
    ``path_parameters`` pins parameters by name (the organization's slug) so that calls reach
    the handlers instead of the tenant gate's 404. ``budget_s`` stops early (a bounded pass).
    """
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase, given
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    tally = Tally()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(operations, key=lambda op: (op.path, op.method)):
        pinned = {name: value for name, value in (path_parameters or {}).items()
                  if f"{{{name}}}" in operation.path}
        headers = headers_for(operation.path)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if budget_s is not None and time.monotonic() - started > budget_s:
                return tally
            try:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned or None)
            except Exception as error:  # noqa: BLE001 - an operation with nothing negative to generate
                if mode is GenerationMode.NEGATIVE:
                    continue
                raise error

            probe = _prober(tally, checks, headers, mode.value)
            run = given(strategy)(probe)
            run = hypothesis.settings(max_examples=examples, deadline=None, database=None,
                                      phases=[Phase.explicit, Phase.generate],
                                      suppress_health_check=list(HealthCheck))(run)
            hypothesis.seed(seed)(run)()
    return tally


def _prober(tally: Tally, checks: list[Any], headers: dict[str, str],
            mode: str) -> Callable[[Any], None]:
    from schemathesis.core.failures import Failure, FailureGroup

    def probe(case: Any) -> None:
        response = case.call(headers=headers)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Failure, FailureGroup) as error:
            failures = error.exceptions if isinstance(error, FailureGroup) else (error,)
            if response.status_code >= 500:
                tally.server_errors += 1
            else:
                tally.schema_violations += 1
            if len(tally.findings) < 30:
                title = "; ".join(str(getattr(f, "title", f)) for f in failures)
                tally.findings.append(f"{case.method} {case.formatted_path} [{mode}] -> "
                                      f"{response.status_code}: {title} {response.text[:200]!r}")
        else:
            if response.status_code >= 500:
                tally.server_errors += 1

    return probe


@dataclass
class Seeded:
    org: str
    member_token: str
    owner_token: str
    device_token: str


def seed_organization() -> Seeded:
    """One organization: an owner, a member, each with an API token; a device of the member."""
    from django.utils import timezone

    from officium.accounts.models import Membership, Organization, User
    from officium.accounts.roles import Role
    from officium.accounts.services import create_api_token
    from officium.attendance import services as attendance

    org = Organization.objects.create(name="Fuzz Works", slug="fuzz", country="DE")
    people = {}
    for role, email in ((Role.OWNER, "owner@fuzz.example"), (Role.MEMBER, "member@fuzz.example")):
        user = User.objects.create_user(email, "fuzz-password-long-enough", first_name="F",
                                        last_name="Z", is_active=True,
                                        email_confirmed_at=timezone.now())
        people[role] = Membership.objects.create(organization=org, user=user, role=role)
    tokens = {role: create_api_token(m.user, "fuzz")[1] for role, m in people.items()}
    _code, raw = attendance.create_connection_code(people[Role.OWNER], people[Role.MEMBER])
    _device, device_token = attendance.connect_device(raw, "Fuzz phone", "test")
    return Seeded(org=org.slug, member_token=tokens[Role.MEMBER], owner_token=tokens[Role.OWNER],
                  device_token=device_token)


def headers_for_role(token: str, device_token: str) -> Callable[[str], dict[str, str]]:
    def headers(path: str) -> dict[str, str]:
        chosen = device_token if path.startswith("/api/attendance/device/") else token
        return {"Authorization": f"Bearer {chosen}"}

    return headers


def main() -> int:
    from _harness import parse, setup

    args = parse(__doc__.splitlines()[0])
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per request
    vendor = setup(args.postgres)
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 4xx are the point here
    seeded = seed_organization()
    examples = 3 if args.quick else 12
    print(f"schemathesis over /api/openapi.json, {vendor}: {examples} examples per operation "
          f"and generation mode (positive, negative), seed 12")
    total = Tally()
    for role, token in (("member", seeded.member_token), ("owner", seeded.owner_token)):
        started = time.perf_counter()
        tally = fuzz(app, headers_for_role(token, seeded.device_token), examples=examples,
                     seed=12, path_parameters={"org": seeded.org})
        total.add(tally)
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses.items()))
        print(f"{role:>7}: {tally.cases} cases in {time.perf_counter() - started:.1f} s; "
              f"server errors {tally.server_errors}, schema violations "
              f"{tally.schema_violations}  ({statuses})")
    for finding in total.findings:
        print("  ", finding)
    print(f"RESULT api_fuzz cases={total.cases} server_errors={total.server_errors} "
          f"schema_violations={total.schema_violations}")
    return 0 if total.server_errors == total.schema_violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
