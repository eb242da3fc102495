"""The access file's records: each person's own rows only when several exports run in a row
(statements are compiled once and reused per subject), and CSV exactly as the csv module
writes it, whatever the values hold."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from officium.privacy.rights.context import art15_context
from officium.privacy.rights.export import csv_text, write_export
from officium.privacy.rights.records import Subject

from .helpers import registered_pks, zip_pks


@pytest.mark.django_db
def test_RI1_exports_in_a_row_each_hold_only_their_own_rows(world):
    for person, other in ((world.alice, world.bob), (world.bob, world.alice), (world.alice, world.bob)):
        result = write_export(f"row-{person.pk}", "access", Subject(user_id=person.pk),
                              context=lambda terms: art15_context(terms, "DE"))
        exported = zip_pks(result.path.read_bytes())
        own, others = registered_pks(person.pk), registered_pks(other.pk)
        for label, pks in own.items():
            if label != "rights.RequestEvent":
                assert pks <= exported.get(label, set()), label
        for label, pks in exported.items():
            assert not (pks & (others.get(label, set()) - own.get(label, set()))), label


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
