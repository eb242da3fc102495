"""The base fixture set: alice owns an organization, bob is a member of it, charlie is an
outsider with an organization of his own who must see nothing of alice's."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from tests import audit_test_events, factories  # noqa: F401  (declares test events)
from tests.factories import PASSWORD

from officium.accounts.models import Membership, Organization, User
from officium.accounts.roles import Role

ALICE_ORG_NAME = "Alpha Secret Works"


def make_user(email: str, first: str, last: str = "Example", **extra: object) -> User:
    return factories.user(email, first, last, **extra)


@pytest.fixture
def alice_org(db) -> Organization:
    return Organization.objects.create(name=ALICE_ORG_NAME, slug="alpha", country="DE")


@pytest.fixture
def retention_choices(alice_org) -> Organization:
    """BI1: choosing one's own retention periods is a plan's feature: alice's organization on
    the Standard plan, which offers it (the Free plan keeps the policy's periods)."""
    from officium.billing.limits import subscription_for

    alice_org.plan = "standard"
    alice_org.save(update_fields=["plan"])
    subscription_for(alice_org)
    return alice_org


@pytest.fixture
def charlie_org(db) -> Organization:
    return Organization.objects.create(name="Charlie Co", slug="charlie-co", country="FR")


@pytest.fixture
def alice(alice_org) -> User:
    user = make_user("alice@alpha.example", "Alice", "Anders")
    Membership.objects.create(organization=alice_org, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def bob(alice_org, alice) -> User:
    user = make_user("bob@alpha.example", "Bob", "Berg", phone="+49 30 1234567")
    Membership.objects.create(organization=alice_org, user=user, role=Role.MEMBER,
                              reports_to=alice.memberships.get())
    return user


@pytest.fixture
def charlie(charlie_org) -> User:
    user = make_user("charlie@charlie.example", "Charlie", "Chen")
    Membership.objects.create(organization=charlie_org, user=user, role=Role.OWNER)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def charlie_client(charlie) -> Client:
    return client_for(charlie)


def sample_modules() -> list[object]:
    """Each app's tests/samples/<app>.py builds alice's objects and names URL kwarg samples."""
    modules = []
    for path in sorted((Path(__file__).parent / "samples").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"tenancy_samples_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


@pytest.fixture
def world(alice, bob, charlie, alice_org, charlie_org) -> SimpleNamespace:
    """Alice's organization fully populated by every app, plus the outsider charlie."""
    w = SimpleNamespace(alice=alice, bob=bob, charlie=charlie, alice_org=alice_org,
                        charlie_org=charlie_org, alice_membership=alice.memberships.get(),
                        bob_membership=bob.memberships.get(),
                        charlie_membership=charlie.memberships.get())
    for module in sample_modules():
        module.build(w)
    return w


@pytest.fixture
def tenancy_samples() -> tuple[dict, dict]:
    """(object samples, secret samples) merged from every tests/samples/<app>.py."""
    samples: dict = {}
    secrets: dict = {}
    for module in sample_modules():
        samples.update(getattr(module, "SAMPLES", {}))
        secrets.update(getattr(module, "SECRETS", {}))
    return samples, secrets


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (headless). Browser tests are marked `browser`."""
    import os

    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a browser test may never be skipped
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # between page actions are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def login_page(context, live_server_url: str, email: str, password: str = PASSWORD):
    """A new page of ``context`` signed in through the real login form."""
    page = context.new_page()
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def browser_login(browser, live_server):
    """``browser_login(user) -> (context, page)`` signed in on the live server."""
    contexts = []

    def sign_in(user, **context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        return context, login_page(context, live_server.url, user.email)

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def price_list(request):
    """The plans a data migration seeds (billing 0002): a live-server test's flush empties every
    table, so the next test gets them back, as every real database has them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    transactional = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from officium.billing.models import PlanTier

    if not PlanTier.objects.exists():
        seed = importlib.import_module("officium.billing.migrations.0002_plans").seed
        seed(apps, None)


@pytest.fixture(autouse=True)
def fresh_engine_caches():
    """Process caches (unwrapped keys, the active policy) must not outlive a test: pytest-django
    rolls each test's rows back, and SQLite then hands the same ids out again."""
    from officium.privacy import policy_runtime
    from officium.privacy.policy.loader import reset_cache
    from officium.privacy.vault.keys import clear_cache

    clear_cache()
    yield
    clear_cache()
    reset_cache()
    policy_runtime.reset()


@pytest.fixture(autouse=True)
def own_erasure_ledger(settings, tmp_path):
    """Each test its own erasure ledger: it names people by id, and rolled-back tests hand the
    same ids out again (a later test's user must not look already erased)."""
    settings.VAULT_ERASURE_LEDGER = str(tmp_path / "erased-subjects")


def _reset_policy_caches() -> None:
    from officium.privacy import policy_runtime
    from officium.privacy.consent import catalogue
    from officium.privacy.policy import loader

    loader.reset_cache()
    policy_runtime.reset()
    catalogue.reset()


@pytest.fixture
def use_policy(monkeypatch, settings, tmp_path):
    """The one way a test switches the active policy.

    ``use_policy("officexlr")`` makes that profile active, ``use_policy(path)`` a policy file,
    and ``use_policy("officeportal", (old, new), ...)`` a copy of the profile with each edit
    applied once. The engine's policy caches are reset on the way in and out.
    """
    from officium.privacy.policy.loader import resolve_policy_path

    copies = itertools.count()

    def switch(name: str | Path, *edits: tuple[str, str]) -> None:
        target = str(name)
        if edits:
            text = resolve_policy_path(target).read_text(encoding="utf-8")
            for old, new in edits:
                assert text.count(old) == 1, old
                text = text.replace(old, new)
            copy = tmp_path / f"{Path(target).stem}-{next(copies)}.yaml"
            copy.write_text(text, encoding="utf-8")
            target = str(copy)
        monkeypatch.setenv("OFFICIUM_POLICY", target)
        settings.OFFICIUM_POLICY = target
        _reset_policy_caches()

    yield switch
    monkeypatch.delenv("OFFICIUM_POLICY", raising=False)
    _reset_policy_caches()
