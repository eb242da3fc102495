"""Hot paths that lean on private Django and gunicorn internals (docs/hot-paths.md).

Two kinds of tests per path. The guards assert the private attributes and signatures each one
uses still exist and behave as assumed, so an upgrade that changes them fails here, loudly and
by name, instead of corrupting data somewhere else. The behaviour tests run the path in both
modes: the fast one and the plain fallback its setting selects, with the same results.
"""

from __future__ import annotations

import inspect
import io
import socket
import zoneinfo

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.sql import InsertQuery
from django.test import RequestFactory
from django.utils import timezone
from tests import factories

from officium.accounts.models import Membership
from officium.attendance.models import (
    AttendanceRecord,
    Direction,
    EventKind,
    LocationEvent,
    LocationStatus,
)
from officium.db import Prepared, PreparedInsert
from officium.portal.http import SocketBody, chunk_body
from officium.privacy import audit
from officium.privacy.audit import chain
from officium.privacy.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# --- db.Prepared / PreparedInsert: Django's SQL compiler ---------------------------------------


def test_guard_prepared_relies_on_the_compiler_as_it_is():
    queryset = Membership.objects.filter(pk=-(2**62)).values_list("pk", "role")
    compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    assert isinstance(sql, str) and -(2**62) in params, "as_sql() must return (sql, params)"
    assert compiler.col_count == 2 and len(compiler.select) >= 2, "compiler.select/col_count"
    assert all(len(entry) == 3 for entry in compiler.select), "select entries are (expr, sql, alias)"
    converters = compiler.get_converters([s[0] for s in compiler.select[:compiler.col_count]])
    assert isinstance(converters, dict)
    for position, (functions, expression) in converters.items():
        assert isinstance(position, int) and all(callable(f) for f in functions) and expression
    # The compiled statements are kept on the connection wrapper's instance dict.
    assert isinstance(connection.__dict__, dict)


def test_guard_prepared_insert_relies_on_the_insert_compiler_as_it_is():
    meta = LocationEvent._meta
    assert hasattr(meta, "pk_fields") and hasattr(meta, "db_returning_fields")
    assert all(hasattr(f, "generated") for f in meta.local_concrete_fields)
    query = InsertQuery(LocationEvent)
    assert list(inspect.signature(query.insert_values).parameters)[:2] == ["fields", "objs"]
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    for name in ("prepare_value", "as_sql"):
        assert callable(getattr(compiler, name, None)), f"SQLInsertCompiler.{name}"
    assert hasattr(compiler, "returning_fields"), "SQLInsertCompiler.returning_fields"
    assert connection.features.can_return_columns_from_insert



def test_guard_the_save_signal_receivers_the_row_writers_stand_in_for():
    """``PreparedInsert`` writes rows without instances and sends no save signal. Its callers
    stand in for exactly these receivers: the vault's pending seal on a location event (it
    seals a value whose subject is the row itself; an event's subject is its member's user,
    sealed before the insert) and django_tasks_db's run_after default on a task row (the
    enqueue gives it). A new receiver fails here; an attendance record has none."""
    from django.db.models.signals import post_save, pre_save
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.signal_handlers import set_run_after

    from officium.privacy.registry import SELF
    from officium.privacy.vault.fields import EncryptedField

    receivers = post_save._live_receivers(LocationEvent)[0]
    assert receivers and all(getattr(r, "__func__", None) is EncryptedField._seal_pending for r in receivers)
    assert not pre_save.has_listeners(LocationEvent)
    vault = [f for f in LocationEvent._meta.fields if isinstance(f, EncryptedField)]
    assert vault and all(f.subject_path != SELF for f in vault)
    assert {f.subject_id_of(LocationEvent(member=Membership(user_id=7))) for f in vault} == {7}
    assert pre_save._live_receivers(DBTaskResult)[0] == [set_run_after]
    assert not post_save.has_listeners(DBTaskResult)
    assert not pre_save.has_listeners(AttendanceRecord) and not post_save.has_listeners(AttendanceRecord)


def test_guard_direct_sqlite_statements_rely_on_the_cursor_as_it_is():
    """``db.run``: Django's SQLite cursor converts placeholders with ``convert_query``; the
    connection wrapper's checks and error wrapper are what its cursor uses around a statement."""
    for name in ("validate_thread_sharing", "validate_no_broken_transaction", "wrap_database_errors",
                 "queries_logged", "execute_wrappers", "health_check_enabled", "health_check_done",
                 "close_if_health_check_failed", "_thread_sharing_count", "_thread_ident", "needs_rollback",
                 "force_debug_cursor"):
        assert hasattr(connection, name), f"DatabaseWrapper.{name}"
    # run() reads what these are made of: the query log is the debug cursor or DEBUG, and
    # thread sharing is allowed by a count.
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    assert "self.force_debug_cursor or settings.DEBUG" in inspect.getsource(wrapper.queries_logged.fget)
    assert "self._thread_sharing_count > 0" in inspect.getsource(wrapper.allow_thread_sharing.fget)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.cursor.convert_query("SELECT %s, '%%'") == "SELECT ?, '%'"

@pytest.fixture(params=["fast", "plain"])
def mode(request, settings):
    """Each behaviour test runs with the fast path and with the plain fallback."""
    fast = request.param == "fast"
    settings.OFFICIUM_PREPARED_STATEMENTS = fast
    settings.OFFICIUM_AUDIT_HELD_TAIL = fast
    settings.OFFICIUM_PORTAL_SOCKET_READS = fast
    settings.OFFICIUM_PORTAL_IMPORT_DIRECT_READS = fast
    return request.param


def test_prepared_rows_equal_the_orm_in_both_modes(mode, alice, bob, alice_org):
    roles = Prepared(lambda org, role: Membership.objects.filter(organization_id=org, role=role)
                     .order_by("pk").values_list("pk", "user__email", "role"), kinds=(int, str))
    for role in ("owner", "member", "client"):
        expected = list(Membership.objects.filter(organization_id=alice_org.pk, role=role)
                        .order_by("pk").values_list("pk", "user__email", "role"))
        assert roles.rows(alice_org.pk, role) == expected
    assert roles.first(alice_org.pk, "owner")[1] == alice.email
    raw = Prepared(lambda org: Membership.objects.filter(organization_id=org).values_list("pk"),
                   convert=False)
    assert sorted(r[0] for r in raw.rows(alice_org.pk)) == sorted(
        Membership.objects.filter(organization_id=alice_org.pk).values_list("pk", flat=True))


def test_prepared_insert_stores_what_create_would_in_both_modes(mode, bob, alice_org):
    """A row written without an instance (sealed coordinates given as ``Stored``) reads back
    through the ORM as a saved one; ``create_row`` returns the instance with its new id and
    the related instances it was given."""
    from officium.attendance.coordinates import Fix, sealed_columns

    member = bob.memberships.get()
    values = {"organization_id": alice_org.pk, "member_id": member.pk, "kind": "check_in",
              "occurred_at": timezone.now(), "received_at": timezone.now(), "location_status": "inside",
              **sealed_columns(LocationEvent, bob.pk, Fix(52.5, 13.4, 8.0))}
    stored = PreparedInsert(LocationEvent, signals_stood_in=True).create_row(values, {"member": member})
    assert stored.pk and not stored._state.adding and stored.member is member
    again = LocationEvent.objects.get(pk=stored.pk)
    assert (again.member_id, again.kind, again.location_status) == (member.pk, "check_in", "inside")
    assert (float(again.latitude), float(again.longitude), float(again.accuracy_m)) == (52.5, 13.4, 8.0)


def test_check_in_hot_path_works_in_both_modes(mode, bob, alice_org):
    site = factories.site(alice_org)
    record = factories.check_in(bob.memberships.get(), site)
    assert record.accepted and record.site_id == site.pk


# --- the audit chain's held tail: Django's run_on_commit list ---------------------------------


def test_guard_run_on_commit_entries_are_savepoint_set_then_callback():
    def marker() -> None:
        return None

    with transaction.atomic():
        with transaction.atomic():
            transaction.on_commit(marker)
            entry = next(e for e in connection.run_on_commit if e[1] is marker)
            assert isinstance(entry[0], set) and entry[0] == set(connection.savepoint_ids), (
                "run_on_commit entries must start with the set of open savepoint ids")
        try:
            with transaction.atomic():
                transaction.on_commit(marker)
                assert sum(e[1] is marker for e in connection.run_on_commit) == 2
                raise RuntimeError
        except RuntimeError:
            pass
        # A rolled-back savepoint drops the callbacks registered in it: the tail's signal.
        assert sum(e[1] is marker for e in connection.run_on_commit) == 1


def test_audit_chain_in_both_modes_survives_rolled_back_savepoints(mode, alice_org):
    with transaction.atomic():
        audit.record("test.first", organization=alice_org.pk)
        held = getattr(connection, "_audit_tail", None)
        assert (held is not None) == (mode == "fast")  # plain: nothing held, read per append
        try:
            with transaction.atomic():
                audit.record("test.undone", organization=alice_org.pk)
                raise RuntimeError
        except RuntimeError:
            pass
        audit.record("test.second", organization=alice_org.pk)
        audit.record("test.third", organization=alice_org.pk)
    events = list(AuditEntry.objects.filter(event__startswith="test.").values_list("event", flat=True)
                  .order_by("seq"))
    assert events == ["test.first", "test.second", "test.third"]
    assert chain.verify().ok


# --- portal.http.SocketBody: gunicorn's body readers ------------------------------------------


def gunicorn_request(data: bytes, early: bytes = b"") -> tuple[object, socket.socket]:
    """A request whose wsgi.input is gunicorn's own Body over a real socket."""
    from gunicorn.http.body import Body, LengthReader
    from gunicorn.http.unreader import SocketUnreader

    server, client = socket.socketpair()
    unreader = SocketUnreader(server)
    if early:
        unreader.unread(early)
    request = RequestFactory().put("/", data=b"", content_type="application/offset+octet-stream")
    request.META["wsgi.input"] = Body(LengthReader(unreader, len(data)))
    request.META["CONTENT_LENGTH"] = str(len(data))
    request._stream = request.META["wsgi.input"]
    client.sendall(data[len(early):])
    return request, client


def test_guard_gunicorn_readers_have_the_shape_socket_body_reads():
    from gunicorn.http.body import Body, LengthReader
    from gunicorn.http.unreader import SocketUnreader

    server, client = socket.socketpair()
    unreader = SocketUnreader(server)
    reader = LengthReader(unreader, 10)
    body = Body(reader)
    assert type(body).__module__.startswith("gunicorn.") and body.reader is reader
    assert isinstance(body.buf, io.BytesIO) and body.buf.tell() == 0
    assert type(reader).__name__ == "LengthReader" and reader.unreader is unreader
    assert reader.length == 10
    assert isinstance(unreader.buf, io.BytesIO) and unreader.sock is server
    assert hasattr(unreader.sock, "recv_into")
    unreader.unread(b"early")  # what gunicorn received past the headers waits in buf
    assert unreader.buf.getvalue() == b"early"
    server.close()
    client.close()


def test_chunk_body_reads_the_socket_or_the_request_as_the_setting_says(mode):
    data = b"0123456789" * 1000
    request, client = gunicorn_request(data, early=data[:100])
    body = chunk_body(request)
    assert isinstance(body, SocketBody) == (mode == "fast")
    assert body.read(len(data)) == data
    client.close()


def _generic(insert: PreparedInsert, values: dict) -> list:
    """What the ORM's insert sends for these values: each field's pre_save on an instance, then
    its get_db_prep_save (a ``Stored`` value is what the instance holds)."""
    from officium.db import Stored

    obj = insert.model(**{k: v.value if isinstance(v, Stored) else v for k, v in values.items()})
    compiler = insert._compiled(connection)[1]
    return [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in insert._fields]


@pytest.mark.parametrize("moment", [
    timezone.now(), timezone.now().replace(microsecond=0),
    timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Berlin")),  # aware, not UTC: the field's own path
])
def test_prepared_insert_values_equal_the_fields_own_preparation(bob, alice_org, moment):
    """Each value PreparedInsert prepares by its plan (a plain field's memo, a datetime's text on
    SQLite or itself on PostgreSQL) is the value the field's own pre_save and get_db_prep_save
    give, whatever the types passed; a sealed token is sent as the vault field sends it."""
    from officium.attendance.coordinates import VALUE_FIELDS, Fix, sealed_columns

    member = bob.memberships.get()
    events = PreparedInsert(LocationEvent, signals_stood_in=True)
    records = PreparedInsert(AttendanceRecord)
    sealed = sealed_columns(LocationEvent, bob.pk, Fix(52.5, 13.4, 5.0))
    for kind, status, cid, mock in (("attendance", "recorded", None, False), ("task_entry", "paused", "c-1", True),
                                    ("attendance", "recorded", "c-1", 1), ("sync", "none", 7, False),
                                    (EventKind.ATTENDANCE, LocationStatus.PAUSED, None, False)):  # choices
        values = {"organization_id": alice_org.pk, "member_id": member.pk, "kind": kind, "occurred_at": moment,
                  "received_at": moment, "client_event_id": cid, "location_status": status,
                  "suspected_mock": mock, **sealed}
        fast = events.prepare_row(dict(values)).params
        generic = _generic(events, values)
        def token(value):  # the drivers' binary wrappers (sqlite3's memoryview, psycopg's Binary)
            value = getattr(value, "obj", value)
            return bytes(value) if isinstance(value, memoryview) else value
        assert [token(v) for v in fast] == [token(v) for v in generic]
        plans = events._compiled(connection)[3]
        assert all(plans[i].name == "GENERIC" for i, f in enumerate(events._fields) if f.name in VALUE_FIELDS)
    for accepted, schedule, direction in ((True, None, "in"), (False, True, Direction.OUT), (1, 0, Direction.IN)):
        values = {"organization_id": alice_org.pk, "member_id": member.pk, "direction": direction,
                  "occurred_at": moment, "verdict": "inside", "accepted": accepted, "within_schedule": schedule,
                  "work_day": moment.date()}
        assert records.prepare_row(dict(values)).params == _generic(records, values)


def test_prepared_insert_task_row_values_equal_the_fields_own_preparation():
    """The task queue's row (the check-in's timesheet task): a UUID, JSON values of each kind
    and an auto_now_add datetime prepared by their plans equal the fields' own preparation; the
    automatic time is set on the instance as ``pre_save`` sets it."""
    import uuid

    from django_tasks_db.models import DBTaskResult

    rows = PreparedInsert(DBTaskResult, with_pk=True, signals_stood_in=True)
    plans = {f.name: p.name for f, p in zip(rows._fields, rows._compiled(connection)[3], strict=True)}
    assert plans["id"] == "UUID" and plans["args_kwargs"] == "JSON" and plans["enqueued_at"].startswith("NOW")
    for task_id, args, result in ((uuid.uuid4(), {"args": [1, [[2, "2026-12-06"]]], "kwargs": {}}, None),
                                  (str(uuid.uuid4()), {"args": [], "kwargs": {"x": 1.5}}, [1, "two"]),
                                  (uuid.uuid4(), {"args": ["s"], "kwargs": {}}, "text")):
        before = timezone.now()
        values = {"id": task_id, "args_kwargs": args, "priority": 0, "task_path": "m.t", "queue_name": "default",
                  "backend_name": "default", "run_after": before, "return_value": result}
        row = rows.prepare_row(dict(values))
        fast = row.params
        at = [f.name for f in rows._fields].index("enqueued_at")
        enqueued = row.values[at]
        assert before <= enqueued <= timezone.now()  # set in the row, as pre_save sets it
        assert fast[at] == rows._compiled(connection)[1].prepare_value(rows._fields[at], enqueued)
        generic = _generic(rows, values)  # its pre_save takes a new "now"

        def plain(values, at=at):  # PostgreSQL's Jsonb wrapper compares by identity: its value
            return [getattr(v, "obj", v) for v in values[:at] + values[at + 1:]]
        assert plain(fast) == plain(generic)
        assert [type(v) for v in fast] == [type(v) for v in generic]


def test_prepared_insert_refuses_what_create_would_not_store_in_both_modes(mode, bob, alice_org):
    """An unsaved related instance (as ``save()`` refuses it), an unknown field, a vault field
    given a plain value and a model whose save receivers would be skipped: refused, nothing written."""
    from officium.accounts.models import Organization

    member = bob.memberships.get()
    values = {"organization_id": alice_org.pk, "member_id": member.pk, "direction": "in",
              "occurred_at": timezone.now(), "verdict": "inside", "accepted": True}
    records = PreparedInsert(AttendanceRecord)
    before = AttendanceRecord.objects.count(), LocationEvent.objects.count()
    with pytest.raises(ValueError, match="organization: give the saved instance"):
        records.create_row(values, {"organization": Organization(name="Unsaved"), "member": member})
    with pytest.raises(ValueError, match="member: give the saved instance"):
        records.create_row(values, {"member": Membership.objects.exclude(pk=member.pk).first()})
    with pytest.raises(TypeError, match="has no field member"):
        records.prepare_row({**values, "member": member})
    event = {"organization_id": alice_org.pk, "member_id": member.pk, "kind": "attendance",
             "occurred_at": timezone.now(), "received_at": timezone.now(), "location_status": "recorded"}
    with pytest.raises(TypeError, match="save signal receivers"):
        PreparedInsert(LocationEvent).prepare_row(event)
    if mode == "fast":  # the plain path is the ORM's save(), which seals on its own
        with pytest.raises(TypeError, match="latitude prepares its own value"):
            PreparedInsert(LocationEvent, signals_stood_in=True).prepare_row({**event, "latitude": 52.5})
    assert (AttendanceRecord.objects.count(), LocationEvent.objects.count()) == before


def test_prepared_statements_run_straight_on_the_driver_only_where_nothing_watches(alice, alice_org):
    """On SQLite a prepared statement skips Django's cursor, except where its query log (DEBUG,
    CaptureQueriesContext) or an execute wrapper is on: those still see every statement.
    Errors still arrive as Django's exceptions and a broken transaction still refuses it."""
    from django.db import IntegrityError
    from django.db.transaction import TransactionManagementError
    from django.test.utils import CaptureQueriesContext

    pks = Prepared(lambda org: Membership.objects.filter(organization_id=org).values_list("pk"))
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        pks.rows(1)
    assert len(seen) == 1
    with CaptureQueriesContext(connection) as captured:
        pks.rows(1)
    assert len(captured) == 1
    if connection.vendor == "sqlite":
        from officium import db

        calls = []
        original = connection.cursor

        def counting_cursor(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)

        connection.cursor = counting_cursor
        try:
            pks.rows(1)
        finally:
            del connection.cursor
        assert calls == [], "a prepared statement on SQLite goes straight to the driver"
        assert db.run  # the path under test
        # A request's first statement makes the health check Django's cursor makes first
        # (CONN_HEALTH_CHECKS): an unusable connection is closed, a usable one kept.
        checks: list[str] = []
        connection.is_usable = lambda: checks.append("checked") or False
        connection.close = lambda: checks.append("closed")
        enabled = connection.health_check_enabled
        connection.health_check_enabled, connection.health_check_done = True, False
        try:
            assert pks.rows(alice_org.pk)
        finally:
            del connection.is_usable, connection.close
            connection.health_check_enabled = enabled
        assert checks == ["checked", "closed"] and connection.health_check_done
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():  # Django's class, not the driver's
            PreparedInsert(Membership).create_row({"organization_id": alice_org.pk, "user_id": alice.pk,
                                                   "role": "member"})
        with transaction.atomic(), pytest.raises(TransactionManagementError):
            connection.needs_rollback = True
            pks.rows(1)
        connection.needs_rollback = False
    # A connection used from another thread is refused, as Django's cursor refuses it.
    import threading

    from django.db import DatabaseError

    from officium import db as hot

    own = connections[DEFAULT_DB_ALIAS]  # this thread's connection, handed to another thread
    sql, _template, _slots, _converters, driver_sql = pks._compile(DEFAULT_DB_ALIAS)
    refused = []

    def elsewhere():
        try:
            hot.run(own, sql, driver_sql, [alice_org.pk], hot.fetch_all)
        except DatabaseError as error:
            refused.append(str(error))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert refused and "thread" in refused[0]

# --- portal/imports._Stream: urllib3's http.client response -----------------------------------

FILE = bytes(range(256)) * 1200


def _file_server():
    from tests.portal.test_import import serve

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(len(FILE)))])
        return [FILE]
    return serve(app)


def test_guard_urllib3_keeps_the_http_client_response_the_import_reads():
    import http.client

    import requests

    for base in _file_server():
        with requests.get(base + "/f.bin", stream=True, timeout=5) as answer:
            fp = answer.raw._fp
            assert isinstance(fp, http.client.HTTPResponse), "urllib3 HTTPResponse._fp"
            assert fp.length == len(FILE)
            piece = bytearray(1000)
            assert fp.readinto(memoryview(piece)) == 1000 and bytes(piece) == FILE[:1000]
            assert fp.length == len(FILE) - 1000


def test_import_stream_reads_the_connection_or_requests_as_the_setting_says(mode, settings):
    from officium.portal import imports

    settings.OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS = True
    for base in _file_server():
        client = imports.WebDAV(base + "/dav/", "carol", "app-password")
        try:
            answer = client.open(imports.Remote("f.bin", len(FILE), "", base + "/f.bin"), 0)
            stream = imports._Stream(answer, len(FILE) - 1000)
            assert (stream.direct is not None) == (mode == "fast")
            got, piece = bytearray(), bytearray(70_000)
            with memoryview(piece) as view:
                while count := stream.readinto(view):
                    got += view[:count]
            assert bytes(got) == FILE[:-1000]  # never past the limit
            assert stream.more()  # the server sends more than that: the import refuses it
            answer.close()
        finally:
            client.close()


# --- db.from_row: Model.from_db without Model.__init__ ------------------------------------------

def test_guard_from_row_builds_what_from_db_builds(bob, alice_org):
    """An instance from a row is the instance ``from_db`` builds: the same attributes and state,
    relations unloaded; a model with a vault field (its own descriptor) or with init signal
    receivers takes ``from_db`` itself."""
    from django.db.models.signals import pre_init

    from officium.attendance.models import Device
    from officium.db import from_row

    member = bob.memberships.get()
    site = factories.site(alice_org)
    record = factories.check_in(member, site)
    for model, pk in ((Membership, member.pk), (AttendanceRecord, record.pk), (LocationEvent, record.location_id)):
        names = [f.attname for f in model._meta.concrete_fields]
        row = model.objects.filter(pk=pk).values_list(*names).get()
        ours, theirs = from_row(model, names, row), model.from_db(DEFAULT_DB_ALIAS, names, row)
        assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
            k: v for k, v in vars(theirs).items() if k != "_state"}
        assert (ours._state.adding, ours._state.db, ours._state.fields_cache) == (False, DEFAULT_DB_ALIAS, {})
        assert ours == theirs and ours.pk == pk
    names = [f.attname for f in Membership._meta.concrete_fields]
    row = Membership.objects.filter(pk=member.pk).values_list(*names).get()
    assert from_row(Membership, names, row).user.email == bob.email  # relations load when asked for
    seen = []
    receiver = lambda sender, **kwargs: seen.append(sender)  # noqa: E731
    pre_init.connect(receiver, sender=Device)
    try:
        device_names = [f.attname for f in Device._meta.concrete_fields]
        from_row(Device, device_names, [None] * len(device_names))
    finally:
        pre_init.disconnect(receiver, sender=Device)
    assert seen == [Device]  # the receiver ran: from_db was used
