"""Fast bulk writes for imports: rows as plain tuples, one statement per batch.

``Model.objects.bulk_create`` builds a model instance per row and prepares every value
through the field (most of a 100,000-row import's time). Imports already hold validated
plain values, so they are written here directly: with ``COPY … FROM STDIN`` on PostgreSQL
(psycopg 3) and ``executemany`` in batches elsewhere (SQLite runs a batch in one C loop).

Values must already be in the form the database stores: ``db_value`` converts the few kinds
that need it (JSON, dates and times) once per value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring

from django.db import connection, models

BATCH = 5000


def json_string(text: str) -> str:
    """A JSON string literal (non-ASCII kept, as ``json.dumps(..., ensure_ascii=False)``)."""
    return encode_basestring(text)


def json_text(value) -> str:
    """A list or dict as JSON text; the empty list, by far the commonest, without encoding."""
    return "[]" if value == [] else json.dumps(value, ensure_ascii=False)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for a bulk load (restored as it was afterwards): a
    100,000-row import allocates millions of objects in no cycle, and every collection would
    walk the whole heap."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def large_cache(kib: int = 131_072) -> Iterator[None]:
    """On SQLite, a larger page cache while a bulk write runs (its indexes are updated in
    memory rather than re-read); the connection's own size afterwards. Elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def columns_of(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    """The concrete fields ``names`` (attribute names: ``complex_id``) of a model."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[n] for n in names]


def db_value(field: models.Field, value):
    """A Python value as the database takes it (JSON text, adapted dates), cheaply."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json_text(value)
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT plain rows (values in ``names`` order, already ``db_value``-converted)."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(columns_of(model, [n])[0].column) for n in names)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def update_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """UPDATE rows by primary key: each row is (values in ``names`` order …, pk).

    PostgreSQL: the rows are copied into a temporary table and applied with one UPDATE … FROM;
    elsewhere one prepared statement runs over each batch (``executemany``).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    fields = columns_of(model, names)
    pk = connection.ops.quote_name(model._meta.pk.column)
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = connection.ops.quote_name(f"_upd_{model._meta.db_table}")
            cols = [connection.ops.quote_name(f.column) for f in fields]
            cursor.execute(
                f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {', '.join(cols)}, {pk} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {temp} ({', '.join(cols)}, {pk}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{c} = t.{c}" for c in cols)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} t WHERE {table}.{pk} = t.{pk}")
            cursor.execute(f"DROP TABLE {temp}")
            return len(rows)
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    return len(rows)
