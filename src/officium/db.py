"""Database helpers for the hot paths (a device's check-in, its token, an access export).

``Prepared`` and ``PreparedInsert`` compile an ORM query or insert once per connection and run
it again with new values: on a short statement, compiling costs about ten times executing.
``sqlite_writers`` queues SQLite writers in order instead of letting SQLite's busy handler
make them sleep and retry.

Both lean on the ORM's compiler internals (tests/test_hot_paths.py fails loudly when an
upgrade changes them); ``OFFICIUM_PREPARED_STATEMENTS=false`` makes them the plain ORM query
and ``save()`` (docs/hot-paths.md).
"""

from __future__ import annotations

import enum
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover  (not on Windows: threads still queue)
    fcntl = None  # type: ignore[assignment]

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, post_save, pre_init, pre_save
from django.db.models.sql import InsertQuery
from django.utils import timezone


class Prepared:
    """A ``values_list`` query compiled once per database connection, then run with new values.

    ``build`` receives one marker per parameter (an int or a str, as ``kinds`` says) and returns
    the queryset; the markers' places in the compiled parameters are where the values go. Rows
    come back exactly as ``values_list`` gives them (the fields' converters applied), or with
    ``convert=False`` as the database cursor gives them. Compiling is what costs on a short
    query (about ten times executing it), hence once per connection: a thread's connection
    keeps its own copy, so nothing is shared between threads.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], kinds: Sequence[type] = (int,), *,
                 convert: bool = True) -> None:
        self._build = build
        self._convert = convert
        self._markers = tuple(f"\x00prepared-{i}\x00" if kind is str else -(2**62) - i
                              for i, kind in enumerate(kinds))

    def rows(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        if not prepared_statements():
            return self._plain_rows(values, using)
        conn = connections[using]
        cache: dict[object, Any] = conn.__dict__.setdefault("_officium_prepared", {})
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = self._compile(using)
        sql, template, slots, converters, driver_sql = compiled
        params = list(template)
        for slot, index in slots:
            params[slot] = values[index]
        rows: list[tuple[Any, ...]] = run(conn, sql, driver_sql, params, fetch_all)
        if not converters:
            return rows  # the cursor's own tuples
        out = []
        for row in rows:
            values_ = list(row)
            for position, (functions, expression) in converters:
                value = values_[position]
                for function in functions:
                    value = function(value, expression, conn)
                values_[position] = value
            out.append(tuple(values_))
        return out

    def _plain_rows(self, values: Sequence[Any], using: str) -> list[tuple[Any, ...]]:
        """The fallback: the ORM builds and compiles the query on every call."""
        queryset = self._build(*values).using(using)
        if self._convert:
            return list(queryset)
        sql, params = queryset.query.sql_with_params()
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched: list[tuple[Any, ...]] = cursor.fetchall()
            return fetched

    def first(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> tuple[Any, ...] | None:
        rows = self.rows(*values, using=using)
        return rows[0] if rows else None

    def _compile(self, using: str) -> tuple[str, tuple[Any, ...], tuple[tuple[int, int], ...], list[Any], str | None]:
        compiler = self._build(*self._markers).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple((slot, self._markers.index(p)) for slot, p in enumerate(params)
                      if type(p) in (int, str) and p in self._markers)
        if sorted({index for _, index in slots}) != list(range(len(self._markers))):
            raise ValueError(f"a parameter marker was not found in {sql!r}")
        fields = [s[0] for s in compiler.select[:compiler.col_count]]
        converters = list(compiler.get_converters(fields).items()) if self._convert else []
        return sql, tuple(params), slots, converters, driver_statement(connections[using], sql)


class Stored(NamedTuple):
    """A field's value already in its database form, for ``PreparedInsert.prepare_row``:
    ``column`` is what the statement sends (a vault field's sealed token), ``value`` what a
    model instance holds for it (what the plain ``save()`` path is given)."""

    column: Any
    value: Any


class PreparedRow(NamedTuple):
    """``PreparedInsert.prepare_row``'s row: the fields' values in order and the statement's
    parameters (None on the plain path, where ``save()`` prepares them)."""

    values: list[Any]
    params: list[Any] | None


_CompiledInsert = tuple[str, Any, tuple[Any, ...], tuple["_Plan", ...], str | None, tuple[int, ...]]
"""A ``PreparedInsert``'s statement on one connection: SQL, compiler, returned fields, each
field's plan, the SQLite driver's text, the positions of the fields without a plan."""


class PreparedInsert:
    """``Model.objects.create`` for one model without a model instance, its INSERT compiled
    once per database connection.

    A row is given as its fields' values by attribute name (``member_id``, not ``member``)
    and each value prepared as the field's own ``get_db_prep_save`` prepares it (by a plan per
    field, ``_Plan``); a field with its own ``pre_save`` (a vault field, which seals) is given
    in its stored form (``Stored``). The new primary key is read back with RETURNING. Building
    the instance ``create`` builds, and sending its save signals, cost more than the insert on
    the check-in path: no signal is sent, so the model must have no save signal receivers or
    the caller must do what they would (``signals_stood_in``; tests/test_hot_paths.py names
    them). ``create_row`` returns the instance, built as a row read from the database is.
    """

    def __init__(self, model: type[Model], *, with_pk: bool = False, signals_stood_in: bool = False) -> None:
        """``with_pk``: the caller gives the primary key (a UUID, not a database sequence).
        ``signals_stood_in``: the model's save signal receivers have nothing to do for the
        rows this caller writes (a test says why)."""
        self.model = model
        meta = model._meta
        self._fields: list[Any] = [f for f in meta.local_concrete_fields
                                   if (with_pk or f not in meta.pk_fields) and not f.generated]
        self._signals_stood_in = signals_stood_in
        self._field_names = [f.attname for f in self._fields]
        self._attnames = frozenset(self._field_names)
        self._names = [f.attname for f in meta.concrete_fields]  # every column, as from_db takes them
        self._field_ids = tuple(id(f) for f in self._fields)  # memo keys: hashing a field is a call
        # A field left out takes its default: a callable one called per row, any other (the
        # same object Field.get_default returns each time) read once.
        self._defaults = tuple((f.get_default, True) if f.has_default() and callable(f.default)
                               else (f.get_default(), False) for f in self._fields)
        self._related: dict[str, Any] = {f.name: f for f in meta.concrete_fields if f.is_relation}

    def _params(self, conn: Any, compiled: _CompiledInsert, values: list[Any]) -> list[Any]:
        """The column values of one row from its fields' Python values (in field order), as
        each field's ``get_db_prep_save`` gives them; an automatic time (``auto_now``) is set
        in ``values`` as the field's ``pre_save`` sets it, a ``Stored`` value replaced by what
        an instance holds."""
        compiler, plans = compiled[1], compiled[3]
        memo: dict[tuple[Any, ...], Any] = conn.__dict__.setdefault("_officium_values", {})
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        params: list[Any] = []
        for i, (field, plan, field_id) in enumerate(zip(self._fields, plans, self._field_ids, strict=True)):
            if plan is _Plan.NOW_UTC_TEXT or plan is _Plan.NOW_AWARE:  # auto_now(_add): what pre_save does
                values[i] = value = timezone.now()
                params.append(naive_utc_text(value) if plan is _Plan.NOW_UTC_TEXT else value)
                continue
            value = values[i]  # what Field.pre_save returns
            kind = type(value)
            if kind is Stored:  # given in its database form (prepare_row)
                params.append(value.column)
                values[i] = value.value
                continue
            if plan is _Plan.MEMO and (kind in _MEMO_VALUES or isinstance(value, enum.Enum)):
                key = (field_id, kind, value)
                if key not in memo:
                    memo[key] = compiler.prepare_value(field, value)
                params.append(memo[key])
            elif plan is _Plan.UTC_TEXT and kind is datetime and value.tzinfo is UTC:
                params.append(naive_utc_text(value))
            elif plan is _Plan.AWARE and kind is datetime and value.tzinfo is not None:
                params.append(value)  # PostgreSQL takes the aware datetime as it is
            elif value is None and (plan is _Plan.UTC_TEXT or plan is _Plan.AWARE):
                params.append(None)  # NULL, as the field's own path gives it
            elif plan is _Plan.UUID and kind is uuid.UUID:
                params.append(value if conn.features.has_native_uuid_field else value.hex)
            elif plan is _Plan.JSON and kind in _JSON_VALUES:
                params.append(None if value is None else conn.ops.adapt_json_value(value, field.encoder))
            else:  # a planned field's pre_save is the attribute itself
                params.append(compiler.prepare_value(field, value))
        return params

    def prepare_row(self, values: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> PreparedRow:
        """One row from its fields' values keyed by attribute name (``member_id``; a field left
        out takes its default), ready for ``insert_row`` without a model instance: the row
        ``create`` would store. A field with its own ``pre_save`` (a vault field) is given
        ``Stored`` (its sealed token). No save signal is sent: the model must have no
        receivers, or the caller stands in for them (``signals_stood_in``)."""
        unknown = set(values) - self._attnames
        if unknown:
            raise TypeError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}")
        if not self._signals_stood_in and (pre_save.has_listeners(self.model)
                                           or post_save.has_listeners(self.model)):
            raise TypeError(f"{self.model.__name__} has save signal receivers, which a row written "
                            "without an instance would skip")
        row = []
        for name, (default, call) in zip(self._field_names, self._defaults, strict=True):
            row.append(values[name] if name in values else default() if call else default)
        if not prepared_statements():
            return PreparedRow(row, None)
        conn = connections[using]
        compiled = self._compiled(conn)
        for i in compiled[5]:
            if type(row[i]) is not Stored:
                field = self._fields[i]
                raise TypeError(f"{self.model.__name__}.{field.name} prepares its own value on save: "
                                "give it Stored")
        return PreparedRow(row, self._params(conn, compiled, row))

    def insert_row(self, row: PreparedRow, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        """INSERT a ``prepare_row`` row; every field's value in the order of the model's
        concrete fields, the primary key read back with RETURNING."""
        values, params = row
        names = self._field_names
        if params is None:  # the plain path: the ORM's own save()
            obj = self.model(**{name: value.value if type(value) is Stored else value
                                for name, value in zip(names, values, strict=True)})
            obj.save(force_insert=True, using=using)
            return [getattr(obj, name) for name in self._names]
        conn = connections[using]
        sql, _compiler, returning, _plans, driver_sql, _generic = self._compiled(conn)
        returned = run(conn, sql, driver_sql, params, _fetchone if returning else _nothing)
        by_name = dict(zip(names, values, strict=True))
        by_name.update(zip((f.attname for f in returning), returned, strict=True))
        return [by_name[name] for name in self._names]

    def create_row(self, values: dict[str, Any], related: dict[str, Model | None] | None = None,
                   using: str = DEFAULT_DB_ALIAS) -> Any:
        """``prepare_row`` and ``insert_row``, then the instance ``create`` would return, built
        from the stored values as a row read from the database is; ``related`` (field name ->
        the saved instance its id names) is kept on it, so reading ``record.site`` costs no query."""
        related = related or {}
        for name, instance in related.items():
            field = self._related[name]
            if instance is None:
                continue
            target = getattr(instance, field.target_field.attname)
            if target is None or target != values.get(field.attname):  # unsaved, or another row
                raise ValueError(f"{name}: give the saved instance {field.attname} names")
        obj = from_row(self.model, self._names, self.insert_row(self.prepare_row(values, using), using), using)
        cache = obj._state.fields_cache
        for name, instance in related.items():
            if instance is not None:
                cache[self._related[name].cache_name] = instance
        return obj

    def _compiled(self, conn: Any) -> _CompiledInsert:
        cache: dict[object, Any] = conn.__dict__.setdefault("_officium_prepared", {})
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = self._compile(conn)
        return compiled

    def _compile(self, conn: Any) -> _CompiledInsert:
        if not conn.features.can_return_columns_from_insert:  # pragma: no cover  (SQLite, PostgreSQL can)
            raise NotImplementedError("PreparedInsert needs INSERT ... RETURNING")
        query = InsertQuery(self.model)
        query.insert_values(self._fields, [self.model()])  # the placeholders only: values come per call
        compiler = query.get_compiler(using=conn.alias)
        returning = tuple(self.model._meta.db_returning_fields)
        compiler.returning_fields = returning
        [(sql, _params)] = compiler.as_sql()
        plans = tuple(_plan(field, conn) for field in self._fields)
        return (sql, compiler, returning, plans, driver_statement(conn, sql),
                tuple(i for i, plan in enumerate(plans) if plan is _Plan.GENERIC))


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)
_PLAIN_MODELS: dict[type[Model], bool] = {}


M = TypeVar("M", bound=Model)


def from_row(model: type[M], names: Sequence[str], values: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> M:
    """``model.from_db(using, names, values)`` for a row of every concrete field (``names``
    in their order), without ``Model.__init__``: its per-field descriptor calls and init
    signals are a third of building a check-in's three instances. Only for a model whose
    fields' attributes are Django's plain ones (a vault field's descriptor seals), without
    init signal receivers and with Django's own ``from_db``; any other takes ``from_db``."""
    plain = _PLAIN_MODELS.get(model)
    if plain is None:
        plain = _PLAIN_MODELS[model] = (
            getattr(model.from_db, "__func__", None) is Model.from_db.__func__  # type: ignore[attr-defined]
            and all(type(getattr(model, f.attname, None)) in _PLAIN_ATTRIBUTES for f in model._meta.concrete_fields))
    if (not plain or len(values) != len(model._meta.concrete_fields)
            or pre_init.has_listeners(model) or post_init.has_listeners(model)):
        return model.from_db(using, names, values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding = False
    state.db = using
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def fetch_all(cursor: Any) -> Any:
    """A ``fetch`` for ``run``: every row."""
    return cursor.fetchall()


def row_count(cursor: Any) -> int:
    """A ``fetch`` for ``run``: the rows the statement changed."""
    return max(int(cursor.rowcount), 0)


def _fetchone(cursor: Any) -> Any:
    return cursor.fetchone()


def _nothing(cursor: Any) -> Any:
    return ()


def driver_statement(conn: Any, sql: str) -> str | None:
    """On SQLite, ``sql`` in the driver's own parameter style (``?``), converted once by Django's
    own cursor as it would convert it on every call; ``None`` elsewhere."""
    if conn.vendor != "sqlite":
        return None
    with conn.cursor() as cursor:
        return str(cursor.cursor.convert_query(sql))


def run(conn: Any, sql: str, driver_sql: str | None, params: Sequence[Any],
        fetch: Callable[[Any], Any]) -> Any:
    """Execute one compiled statement and ``fetch`` from its cursor.

    On SQLite, an open connection with no query log (``DEBUG``, ``CaptureQueriesContext``) and no
    execute wrappers runs ``driver_sql`` straight on a driver cursor (after the health check
    Django's cursor makes first, when one is due: the first statement of a request),
    with the checks Django's cursor makes first (thread sharing, a broken transaction) and its
    error wrapping: Django's cursor converts the placeholders with a regular expression on every
    call and adds five layers of calls around each statement (about a tenth of a check-in's
    Python work, for its eleven statements). Anything else goes through Django's cursor.
    """
    if conn.health_check_enabled and not conn.health_check_done:
        conn.close_if_health_check_failed()  # what Django's cursor() does first (once a request)
    if (driver_sql is None or conn.connection is None or conn.force_debug_cursor or debug()
            or conn.execute_wrappers):  # ``queries_logged`` is force_debug_cursor or DEBUG
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    # Django's own checks, each called only where it would refuse (the common case costs two
    # attribute reads, not three method calls per statement).
    if conn._thread_sharing_count <= 0 and conn._thread_ident != threading.get_ident():
        conn.validate_thread_sharing()
    if conn.needs_rollback:
        conn.validate_no_broken_transaction()
    try:
        cursor = conn.connection.cursor()
        try:
            cursor.execute(driver_sql, params)
            return fetch(cursor)
        finally:
            cursor.close()
    except Exception:
        with conn.wrap_database_errors:  # the driver's error as Django's class, as its cursor raises it
            raise


def naive_utc_text(moment: datetime) -> str:
    """What Django stores on SQLite for an aware datetime (naive UTC text), without its
    per-value checks."""
    if moment.tzinfo is UTC:  # what devices and timezone.now() give: drop the "+00:00"
        return moment.isoformat(" ")[:-6]
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def datetime_adapter(vendor: str) -> Callable[[datetime], Any]:
    """Aware datetimes as the database takes them in hand-written statements: SQLite naive UTC
    text, PostgreSQL the datetime itself."""
    return naive_utc_text if vendor == "sqlite" else (lambda moment: moment)


class _Plan(enum.Enum):
    """How ``PreparedInsert`` prepares one field's value (each field's ``get_db_prep_save`` is
    about fifteen Python calls; a check-in prepares some forty values)."""

    GENERIC = "the field's own pre_save and get_db_prep_save"
    MEMO = "a plain field: the prepared value of an immutable value, kept per connection"
    UTC_TEXT = "SQLite: an aware UTC datetime becomes naive UTC text, as Django stores it"
    AWARE = "PostgreSQL: an aware datetime is passed as it is, as Django passes it"
    NOW_UTC_TEXT = "SQLite: an auto_now(_add) datetime field: now, set on the instance, as UTC_TEXT"
    NOW_AWARE = "PostgreSQL: an auto_now(_add) datetime field: now, set on the instance, as AWARE"
    UUID = "a UUID: the database's own UUID type, else its hex text, as Django stores it"
    JSON = "a JSON field: NULL for None, else the connection's JSON adaptation with the field's encoder"


_MEMO_FIELDS = frozenset({models.CharField, models.TextField, models.BooleanField, models.IntegerField,
                          models.SmallIntegerField, models.BigIntegerField, models.PositiveIntegerField,
                          models.PositiveSmallIntegerField, models.ForeignKey})
_MEMO_VALUES = frozenset({str, int, bool, type(None), date})
"""Immutable value types whose prepared value is kept (and any enum member: a field's choice)."""
_JSON_VALUES = frozenset({dict, list, str, int, float, bool, type(None)})
MEMO_LIMIT = 4096
"""Prepared values kept per connection (cleared past this: ids of many members pass through)."""


def _plan(field: Any, conn: Any) -> _Plan:
    """Only exact built-in classes (a subclass may prepare differently: a vault field seals)
    whose ``pre_save`` is the plain attribute read (or ``now`` for an automatic datetime);
    anything else, and any value of another type than the plan expects, takes the field's own
    path."""
    kind = type(field)
    plain_pre_save = kind.pre_save is models.Field.pre_save
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if (kind in _MEMO_FIELDS and plain_pre_save) or (kind is models.DateField and not automatic):
        return _Plan.MEMO
    if kind is models.DateTimeField and settings.USE_TZ:
        if conn.vendor == "sqlite" and conn.timezone is UTC:
            return _Plan.NOW_UTC_TEXT if automatic else _Plan.UTC_TEXT
        if conn.vendor == "postgresql":
            return _Plan.NOW_AWARE if automatic else _Plan.AWARE
    if kind is models.UUIDField and plain_pre_save:
        return _Plan.UUID
    if kind is models.JSONField and plain_pre_save:
        return _Plan.JSON
    return _Plan.GENERIC


def executemany(sql: str, rows: Sequence[Sequence[Any]], using: str = DEFAULT_DB_ALIAS) -> int:
    """Run one statement for many rows in the connection's transaction; the rows it changed.

    On PostgreSQL through a server-binding psycopg cursor: the statement is parsed and planned
    once and the rows are pipelined, where Django's client-binding cursor sends each row as a
    new statement text for the server to parse and plan again (about three times slower on a
    batch of 500). Django's cursor wrapper stays around it (errors, query log, wrappers).
    """
    conn = connections[using]
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)
            return max(int(cursor.rowcount), 0)
    import psycopg

    conn.ensure_connection()
    conn.validate_thread_sharing()
    raw: Any = psycopg.Cursor(conn.connection)  # what Django wraps (its stubs say CursorWrapper)
    wrapped = conn.make_debug_cursor(raw) if conn.queries_logged else conn.make_cursor(raw)
    with wrapped as cursor:
        cursor.executemany(sql, rows)
        return max(int(cursor.rowcount), 0)


def executemany_returning(sql: str, rows: Sequence[Sequence[Any]], using: str = DEFAULT_DB_ALIAS,
                          ) -> list[tuple[Any, ...]]:
    """``executemany`` of an ``INSERT ... RETURNING`` on PostgreSQL: the rows it returned (none
    for a row skipped by ``ON CONFLICT DO NOTHING``), in one pipelined round of statements."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        raise NotImplementedError("executemany_returning is for PostgreSQL")
    import psycopg

    conn.ensure_connection()
    conn.validate_thread_sharing()
    out: list[tuple[Any, ...]] = []
    with conn.wrap_database_errors, psycopg.Cursor(conn.connection) as cursor:
        cursor.executemany(sql, rows, returning=True)
        while True:
            out.extend(cursor.fetchall())
            if not cursor.nextset():
                break
    if conn.queries_logged:
        conn.queries_log.append({"sql": f"{len(rows)} times: {sql}", "time": "0.000"})
    return out


_SWITCHES: dict[str, bool] = {}
"""Settings a hot path asks about on every statement, read once and again after they change."""


def _switch(name: str, default: bool) -> bool:
    value = _SWITCHES.get(name)
    if value is None:
        value = _SWITCHES[name] = bool(getattr(settings, name, default))
    return value


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    _SWITCHES.pop(setting, None)


setting_changed.connect(_setting_changed, dispatch_uid="officium-db-switches")


def debug() -> bool:
    """``settings.DEBUG`` (Django's query log is on)."""
    return _switch("DEBUG", False)


def prepared_statements() -> bool:
    """Whether hot statements are compiled once per connection (the default) or by the ORM
    on every call (``OFFICIUM_PREPARED_STATEMENTS=false``)."""
    return _switch("OFFICIUM_PREPARED_STATEMENTS", True)


class _SQLiteWriters:
    """On SQLite, writers queue for the database's single writer slot here, not in SQLite, and
    a person's request goes before a device's batch.

    SQLite lets one writer in and makes the others sleep and retry (its busy handler backs
    off up to 100 ms a try), so under a burst a waiter keeps losing to writers that arrive
    later: that was the seconds-long tail. Threads of a process queue on a lock, processes on
    an advisory ``flock`` beside the database file; both wake the next waiter as soon as the
    turn is free. Only ordering changes: SQLite's own lock still guards the data.

    ``turn(batch=True)`` is for the chunks of a batch sync: it lets interactive writers (a
    check-in, whose person waits for the answer) go first. Each interactive writer holds a
    shared ``flock`` on a second file while it waits and writes (one per process, counted);
    a batch writer that got the turn while one is there gives it back and tries again a
    moment later, for at most ``BATCH_YIELD`` seconds, then writes anyway (never starved).
    """

    BATCH_YIELD = 0.05
    BATCH_RETRY = 0.0005

    def __init__(self) -> None:
        self._thread_lock = threading.Lock()
        self._waiting_lock = threading.Lock()
        self._waiting: dict[int, int] = {}  # interactive writers of this process, per "waiting" file
        self._files: dict[tuple[int, str], int] = {}

    @contextmanager
    def turn(self, using: str = DEFAULT_DB_ALIAS, *, batch: bool = False) -> Iterator[None]:
        conn = connections[using]
        # Inside an outer transaction the connection already holds SQLite's lock (transactions
        # begin IMMEDIATE): waiting here for someone who waits for it would deadlock.
        if conn.vendor != "sqlite" or conn.in_atomic_block:
            yield
            return
        name = str(conn.settings_dict["NAME"])
        fd = self._file(name, "writers")
        if fd is None:
            with self._thread_lock:
                yield
            return
        if batch:
            with self._batch_turn(fd, name):
                yield
            return
        announced = self._file(name, "waiting")
        self._announce(announced, +1)
        try:
            with self._thread_lock:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._announce(announced, -1)

    @contextmanager
    def _batch_turn(self, fd: int, name: str) -> Iterator[None]:
        probe = self._file(name, "probe")
        deadline = time.monotonic() + self.BATCH_YIELD
        while True:
            self._thread_lock.acquire()
            fcntl.flock(fd, fcntl.LOCK_EX)
            if time.monotonic() >= deadline or not self._someone_waiting(probe):
                break
            fcntl.flock(fd, fcntl.LOCK_UN)
            self._thread_lock.release()
            time.sleep(self.BATCH_RETRY)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            self._thread_lock.release()

    def _announce(self, fd: int | None, step: int) -> None:
        """Count an interactive writer of this process in or out; the first in takes the
        shared lock other processes' batch writers probe, the last out lets it go."""
        if fd is None:
            return
        with self._waiting_lock:
            count = self._waiting.get(fd, 0) + step
            self._waiting[fd] = count
            if step > 0 and count == 1:
                fcntl.flock(fd, fcntl.LOCK_SH)
            elif step < 0 and count == 0:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _someone_waiting(self, probe: int | None) -> bool:
        """Whether an interactive writer of any process waits for the turn or holds it."""
        if probe is None:
            return False
        if any(self._waiting.values()):
            return True
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False

    def _file(self, name: str, role: str) -> int | None:
        if fcntl is None or not name or ":memory:" in name or "mode=memory" in name:
            return None
        key = (os.getpid(), f"{name}:{role}")  # a forked worker opens its own (flock is per open file)
        if key not in self._files:
            # "probe" opens the "waiting" file a second time: a lock on it conflicts with this
            # process's own shared lock, which is held on the other open file.
            path = f"{name}.{'waiting' if role == 'probe' else role}"
            self._files[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._files[key]


sqlite_writers = _SQLiteWriters()
