"""Portal fixtures: storage in a temporary directory, a space of alice's with bob (staff) and
carol (a client contact) in it, dave (staff of the same organization, not in the space)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from officium.accounts.models import Membership, User
from officium.accounts.roles import Role
from officium.portal import services, uploads

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, first: str, last: str = "Example", **extra) -> User:
    return User.objects.create_user(email, PASSWORD, first_name=first, last_name=last,
                                    is_active=True, email_confirmed_at=timezone.now(), **extra)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def portal_files(tmp_path, settings) -> Path:
    root = tmp_path / "files"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(root)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return root


@pytest.fixture
def carol(alice_org):
    user = make_user("carol@client.example", "Carol", "Client")
    Membership.objects.create(organization=alice_org, user=user, role=Role.CLIENT)
    return user


@pytest.fixture
def dave(alice_org):
    user = make_user("dave@alpha.example", "Dave", "Dunn")
    Membership.objects.create(organization=alice_org, user=user, role=Role.MANAGER)
    return user


@pytest.fixture
def space(alice, bob, carol):
    owner = alice.memberships.get()
    space = services.create_space(owner, "Carol's tax return")
    services.add_member(owner, space, bob.memberships.get().pk)
    services.add_member(owner, space, carol.memberships.get().pk)
    return space


@pytest.fixture
def carol_client(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def dave_client(dave) -> Client:
    return client_for(dave)


def store_file(membership, space, data: bytes, name: str = "report.pdf"):
    """Upload ``data`` through the service in one chunk; returns the File."""
    upload = uploads.start_upload(membership, space, name=name, size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    return uploads.receive_chunk(membership, upload, 0, io.BytesIO(data), len(data)).file


def api_create(client, org: str, space, data: bytes, name: str = "report.pdf", **extra):
    payload = {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}
    return client.post(f"/api/portal/orgs/{org}/spaces/{space.pk}/uploads", payload,
                       content_type="application/json")


def api_patch(client, location: str, offset: int, chunk: bytes, **environ):
    return client.generic("PATCH", location, data=chunk,
                          content_type="application/offset+octet-stream",
                          headers={"Upload-Offset": str(offset)}, **environ)


def stored_bytes(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def portal():
    """The helpers above, for test modules (tests are not a package)."""
    return SimpleNamespace(store_file=store_file, api_create=api_create, api_patch=api_patch,
                           stored_bytes=stored_bytes, make_user=make_user, client_for=client_for)
