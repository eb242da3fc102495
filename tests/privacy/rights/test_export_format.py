"""The access file's records: each person's own rows only when several exports run in a row
(statements are compiled once and reused per subject), and CSV exactly as the csv module
writes it, whatever the values hold."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from officium.privacy.rights.context import art15_context
from officium.privacy.rights.export import csv_text, exports_dir, open_export, write_export
from officium.privacy.rights.records import Subject

from .helpers import registered_pks, zip_pks


@pytest.mark.django_db
def test_RI1_exports_in_a_row_each_hold_only_their_own_rows(world):
    for person, other in ((world.alice, world.bob), (world.bob, world.alice), (world.alice, world.bob)):
        result = write_export(f"row-{person.pk}", "access", Subject(user_id=person.pk),
                              context=lambda terms: art15_context(terms, "DE"))
        exported = zip_pks(b"".join(open_export(result.path)))
        own, others = registered_pks(person.pk), registered_pks(other.pk)
        for label, pks in own.items():
            if label != "rights.RequestEvent":
                assert pks <= exported.get(label, set()), label
        for label, pks in exported.items():
            assert not (pks & (others.get(label, set()) - own.get(label, set()))), label


@pytest.mark.django_db
def test_RI1_access_file_is_sealed_at_rest_and_opens_only_unaltered(world, bob_client,
                                                                     django_capture_on_commit_callbacks):
    from tests.conftest import PASSWORD

    from officium.privacy.rights import intake
    from officium.privacy.rights.models import ExportFile

    bob = world.bob
    with django_capture_on_commit_callbacks(execute=True):
        filed = intake.file_for_account(bob, request_type="access", country="DE", password=PASSWORD)
    export = ExportFile.objects.get(request=filed)
    stored = (exports_dir() / export.name).read_bytes()
    assert not stored.startswith(b"PK") and bob.email.encode() not in stored  # no ZIP, no values
    response = bob_client.get(f"/privacy/center/requests/{filed.pk}/download/")
    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and data.startswith(b"PK")
    assert int(response["Content-Length"]) == len(data) == export.size
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert bob.email.encode() in b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n)
                                           for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    altered = bytearray(stored)
    altered[len(altered) // 2] ^= 1
    (exports_dir() / export.name).write_bytes(bytes(altered))
    refused = bob_client.get(f"/privacy/center/requests/{filed.pk}/download/")
    assert refused.status_code == 500 and b"PK" not in refused.content
    assert ExportFile.objects.get(pk=export.pk).downloads == 1  # the refused one is not counted


values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(['a,b', 'say "hi"', "two\nlines", "cr\r", "", " padded "]),
    st.datetimes(timezones=st.just(dt.UTC)),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(st.tuples(*[values] * width), max_size=6)))
def test_csv_text_is_what_the_csv_module_writes(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert csv_text(rows) == buffer.getvalue()
