"""PF1: the portal as a file manager: rename, move (no loops), trash and restore within the
organization's period and legal holds, versions on the same name, several files and folders
at once (DO2: each resumable), search across one's spaces, sort and keyset paging, and
checkpoints inside a long chunk so a crash keeps what was confirmed."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from officium.portal import files, uploads
from officium.portal.models import File, Folder, Upload
from officium.privacy.audit.models import AuditEntry
from officium.privacy.retention.holds import place_hold

ORG = "alpha"
API = f"/api/portal/orgs/{ORG}"


@pytest.mark.django_db
def test_PF1_rename_move_and_trash_then_restore(space, alice, carol_client, portal, portal_files):
    owner = alice.memberships.get()
    file = portal.store_file(owner, space, b"the 2025 return", name="return.pdf")
    made = carol_client.post(f"{API}/spaces/{space.pk}/folders", {"name": "2025"},
                             content_type="application/json").json()

    renamed = carol_client.patch(f"{API}/files/{file.pk}", {"name": "return-final.pdf"},
                                 content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "return-final.pdf"
    moved = carol_client.patch(f"{API}/files/{file.pk}", {"folder_id": made["id"]},
                               content_type="application/json")
    assert moved.json()["folder_id"] == made["id"]
    assert carol_client.get(f"{API}/spaces/{space.pk}").json()["files"] == []
    listed = carol_client.get(f"{API}/spaces/{space.pk}?folder={made['id']}").json()
    assert [f["name"] for f in listed["files"]] == ["return-final.pdf"]

    # trash the folder: the file goes with it; neither is listed, searched or downloadable
    assert carol_client.delete(f"{API}/spaces/{space.pk}/folders/{made['id']}").status_code == 204
    assert carol_client.get(f"{API}/spaces/{space.pk}").json()["folders"] == []
    assert carol_client.get(f"{API}/search?q=return").json() == []
    assert carol_client.get(f"{API}/files/{file.pk}/content").status_code == 404
    trash = carol_client.get(f"{API}/spaces/{space.pk}/trash").json()
    assert [(t["kind"], t["name"]) for t in trash] == [("folder", "2025")]
    purge_at = datetime.fromisoformat(trash[0]["purge_at"])
    assert timedelta(days=29) < purge_at - timezone.now() <= timedelta(days=30)
    assert len(portal.stored_bytes(portal_files)) == 1  # kept in the trash, encrypted

    restored = carol_client.post(f"{API}/spaces/{space.pk}/trash/folders/{made['id']}/restore")
    assert restored.status_code == 200
    body = carol_client.get(f"{API}/files/{file.pk}/content")
    assert b"".join(body.streaming_content) == b"the 2025 return"
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"portal.file_renamed", "portal.file_moved", "portal.folder_trashed",
            "portal.folder_restored"} <= events


@pytest.mark.django_db
def test_PF1_move_into_a_descendant_is_refused_and_nothing_changes(space, alice, carol_client):
    def folder(name, parent=None):
        return carol_client.post(f"{API}/spaces/{space.pk}/folders",
                                 {"name": name, "parent_id": parent},
                                 content_type="application/json").json()["id"]

    top = folder("Clients")
    child = folder("Acme", top)
    grandchild = folder("2026", child)
    for target in (top, child, grandchild):
        answer = carol_client.patch(f"{API}/spaces/{space.pk}/folders/{top}",
                                    {"folder_id": target}, content_type="application/json")
        assert answer.status_code == 400 and answer.json()["field"] == "folder_id"
    assert Folder.objects.get(pk=top).parent_id is None
    # a sideways move is fine, and a name clash at the target is refused
    other = folder("Archive")
    assert carol_client.patch(f"{API}/spaces/{space.pk}/folders/{grandchild}",
                              {"folder_id": other}, content_type="application/json").status_code == 200
    folder("2026", child)
    clash = carol_client.patch(f"{API}/spaces/{space.pk}/folders/{grandchild}",
                               {"folder_id": child}, content_type="application/json")
    assert clash.status_code == 400 and Folder.objects.get(pk=grandchild).parent_id == other


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.txt", "..", "C:\\x.txt", "x\u202etxt.exe",
                                  " padded.txt", ""])
def test_PF1_names_with_path_tricks_are_refused(space, alice, carol_client, portal, name):
    file = portal.store_file(alice.memberships.get(), space, b"x", name="safe.txt")
    answer = carol_client.patch(f"{API}/files/{file.pk}", {"name": name},
                                content_type="application/json")
    assert answer.status_code == 400 and answer.json()["field"] == "name"
    assert File.objects.get(pk=file.pk).name == "safe.txt"
    upload = carol_client.post(f"{API}/spaces/{space.pk}/uploads",
                               {"name": "ok.txt", "size": 1, "sha256": "0" * 64,
                                "folder_path": ["docs", name]}, content_type="application/json")
    assert upload.status_code == 400
    assert not Folder.objects.filter(name="docs").exists()


@pytest.mark.django_db
def test_PF1_same_name_keeps_the_old_file_as_a_version(space, alice, carol, carol_client, portal):
    first = portal.store_file(alice.memberships.get(), space, b"version one", name="plan.txt")
    second = portal.store_file(carol.memberships.get(), space, b"version two", name="plan.txt")
    listed = carol_client.get(f"{API}/spaces/{space.pk}").json()["files"]
    assert [(f["id"], f["name"]) for f in listed] == [(second.pk, "plan.txt")]
    versions = carol_client.get(f"{API}/files/{second.pk}/versions").json()
    assert [v["id"] for v in versions] == [first.pk]
    old = carol_client.get(f"{API}/files/{first.pk}/content")
    assert b"".join(old.streaming_content) == b"version one"
    page = carol_client.get(f"/o/{ORG}/portal/spaces/{space.pk}/files/{second.pk}/").content.decode()
    assert f"/files/{first.pk}/download/" in page
    # a rename or a move takes the versions along
    carol_client.patch(f"{API}/files/{second.pk}", {"name": "plan-2026.txt"},
                       content_type="application/json")
    assert File.objects.get(pk=first.pk).name == "plan-2026.txt"


@pytest.mark.django_db
def test_PF1_trash_is_emptied_after_the_period_but_legal_holds_keep_files(
        retention_choices, space, alice, carol, portal, portal_files):
    owner = alice.memberships.get()
    kept = portal.store_file(carol.memberships.get(), space, b"held", name="held.txt")
    gone = portal.store_file(owner, space, b"gone", name="gone.txt")
    assert files.set_trash_days(owner, 7) == 7
    files.trash_file(owner, kept)
    files.trash_file(owner, gone)
    place_hold(actor_id=alice.pk, organization_id=space.organization_id, subject_id=carol.pk,
               reason_kind="dispute", reason="Fee dispute", until=timezone.localdate() + timedelta(days=90))
    assert files.empty_trash(timezone.now() + timedelta(days=6)) == 0
    with django_capture_on_commit():
        assert files.empty_trash(timezone.now() + timedelta(days=8)) == 1
    assert File.objects.filter(pk=kept.pk).exists() and not File.objects.filter(pk=gone.pk).exists()
    assert len(portal.stored_bytes(portal_files)) == 1


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.mark.django_db
def test_PF1_trash_period_stays_within_the_policy(space, alice, bob):
    owner = alice.memberships.get()
    low, high = files.trash_bounds()
    for bad in (0, high + 1, "30", True):
        with pytest.raises(ValidationError) as refused:
            files.set_trash_days(owner, bad)
        assert "trash_days" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        files.set_trash_days(bob.memberships.get(), low)  # a member does not set it
    assert files.trash_days(space.organization_id) == files.DEFAULT_TRASH_DAYS


@pytest.mark.django_db
def test_PF1_search_finds_names_only_in_ones_own_spaces(space, alice, carol_client, dave_client,
                                                        portal):
    owner = alice.memberships.get()
    portal.store_file(owner, space, b"a", name="Invoice-2026-01.pdf")
    from officium.portal import services

    other = services.create_space(owner, "Internal")
    portal.store_file(owner, other, b"b", name="invoice-internal.pdf")
    hits = carol_client.get(f"{API}/search?q=INVOICE").json()
    assert [h["name"] for h in hits] == ["Invoice-2026-01.pdf"]
    assert dave_client.get(f"{API}/search?q=invoice").json() == []
    assert carol_client.get(f"{API}/search?q=").status_code == 400
    page = carol_client.get(f"/o/{ORG}/portal/search/?q=invoice").content.decode()
    assert "Invoice-2026-01.pdf" in page and "invoice-internal" not in page


@pytest.mark.django_db
def test_PF1_sort_and_keyset_paging(space, alice, carol_client):
    owner = alice.memberships.get()
    now = timezone.now()
    File.objects.bulk_create([
        File(organization_id=space.organization_id, space=space, uploaded_by=alice,
             name=f"doc-{n:03d}.txt", extension="txt", size=n, sha256="0" * 64, record_size=65536,
             wrapped_key=b"", created_at=now - timedelta(minutes=n)) for n in range(250)])
    seen, after = [], ""
    while True:
        page = carol_client.get(f"{API}/spaces/{space.pk}?sort=-size&limit=100&after={after}").json()
        seen += [f["size"] for f in page["files"]]
        if not page["next"]:
            break
        after = page["next"]
    assert seen == list(range(249, -1, -1))
    names = carol_client.get(f"{API}/spaces/{space.pk}?sort=name&limit=3").json()
    assert [f["name"] for f in names["files"]] == ["doc-000.txt", "doc-001.txt", "doc-002.txt"]
    bad = carol_client.get(f"{API}/spaces/{space.pk}?sort=owner")
    assert bad.status_code == 400 and bad.json()["field"] == "sort"
    assert carol_client.get(f"{API}/spaces/{space.pk}?after=not-a-cursor").status_code == 400
    html = carol_client.get(f"/o/{ORG}/portal/spaces/{space.pk}/?sort=-date").content.decode()
    assert html.count('class="file-row"') == files.PAGE_SIZE and 'id="next-page"' in html
    assert owner  # the owner made them; carol (a client member) pages through them


@pytest.mark.django_db
def test_DO2_several_files_in_a_folder_tree_each_resumable(space, carol_client, portal):
    tree = {("reports", "2026"): [("q1.txt", b"first quarter " * 5000),
                                  ("q2.txt", b"second quarter " * 5000)],
            ("reports",): [("summary.txt", b"summary")]}
    for path, entries in tree.items():
        for name, data in entries:
            created = portal.api_create(carol_client, ORG, space, data, name=name,
                                        folder_path=list(path))
            assert created.status_code == 201
            location = created.json()["location"]
            half = len(data) // 2
            assert portal.api_patch(carol_client, location, 0, data[:half]).status_code == 200
            # the connection dropped: ask the offset, continue from it
            offset = int(carol_client.head(location)["Upload-Offset"])
            done = portal.api_patch(carol_client, location, offset, data[offset:])
            assert done.json()["complete"] is True
    reports = Folder.objects.get(name="reports", parent=None)
    year = Folder.objects.get(name="2026", parent=reports)
    assert sorted(File.objects.filter(folder=year).values_list("name", flat=True)) == ["q1.txt", "q2.txt"]
    assert File.objects.filter(folder=reports, name="summary.txt").exists()
    assert Folder.objects.filter(name="reports").count() == 1  # reused, not duplicated


class _Crash(Exception):
    """Stands for the process dying: not an OSError, so nothing treats it as a cut connection."""


class _DiesAfter:
    def __init__(self, data: bytes, after: int) -> None:
        self.stream, self.after, self.read_so_far = io.BytesIO(data), after, 0

    def read(self, size: int) -> bytes:
        if self.read_so_far >= self.after:
            raise _Crash
        piece = self.stream.read(min(size, self.after - self.read_so_far))
        self.read_so_far += len(piece)
        return piece


@pytest.mark.django_db
def test_PF1_crash_mid_chunk_keeps_confirmed_checkpoints(space, carol, monkeypatch, portal):
    monkeypatch.setattr(uploads, "CHECKPOINT", uploads.PIECE * 2)  # 1 MiB checkpoints
    data = bytes(range(256)) * (5 * 1024 * 16 + 7)  # about 5 MiB
    member = carol.memberships.get()
    upload = uploads.start_upload(member, space, name="big.bin", size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest())
    with pytest.raises(_Crash):
        uploads.receive_chunk(member, upload, 0, _DiesAfter(data, 3 * 1024 * 1024 + 1000), len(data))
    confirmed = Upload.objects.get(pk=upload.pk)
    assert confirmed.offset == 3 * 1024 * 1024  # three checkpoints of the one chunk survived
    Upload.objects.filter(pk=upload.pk).update(busy_until=None)  # the dead process's lease ran out
    uploads._hashes.clear()  # a restarted process: the running hash is gone too
    result = uploads.receive_chunk(member, confirmed, confirmed.offset,
                                   io.BytesIO(data[confirmed.offset:]), len(data) - confirmed.offset)
    assert result.file is not None and result.file.sha256 == hashlib.sha256(data).hexdigest()
