"""Open data (공공데이터): every dataset the apps register, as CSV, Parquet and JSON, with its
data dictionary, licence and update date — served by the portal and written to a folder by
``techvalley opendata export DIR`` for a district's open-data portal upload.

CSV is UTF-8 with a byte-order mark (so that Excel opens Korean text correctly), text that a
spreadsheet would read as a formula neutralised (``safe_cell``). JSON carries the dictionary
and the rows (objects keyed by column). Parquet's schema follows the column types, and its
metadata carries the dictionary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

from django.utils import translation

from techvalley.core import spine
from techvalley.core.validation import BadInput, safe_row

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}


def dataset_or_404(key: str) -> spine.Dataset:
    from django.http import Http404

    ds = spine.platform.datasets.get(key)
    if ds is None:
        raise Http404("그런 공공데이터가 없습니다. / There is no such open dataset.")
    return ds


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise BadInput(
            f"형식은 csv, parquet, json 중 하나입니다: {fmt} / The format is one of csv, parquet, json: {fmt}",
            field="format",
        )
    return fmt


def dictionary(ds: spine.Dataset, cx) -> dict:
    """What the data dictionary says about a dataset: its columns, source, licence, update date.
    In Korean (the district's open-data portal is), whatever the page's language."""
    with translation.override("ko"):
        updated = ds.updated(cx)
        return {
            "key": ds.key,
            "title": str(ds.title),
            "description": str(ds.description),
            "source": str(ds.source),
            "licence": ds.licence,
            "updated": updated.isoformat() if updated else None,
            "complex": cx.slug,
            "columns": [
                {"name": c.name, "type": c.type, "unit": str(c.unit or ""), "description": str(c.description)}
                for c in ds.columns
            ],
        }


def _cell(value):
    """A value as every format takes it: dates as ISO text, decimals as numbers."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(ds: spine.Dataset, cx) -> list[tuple]:
    return [tuple(_cell(v) for v in r) for r in ds.rows(cx)]


def to_csv(ds: spine.Dataset, cx, data: list[tuple] | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.name for c in ds.columns])
    for r in rows(ds, cx) if data is None else data:
        writer.writerow(["" if v is None else v for v in safe_row(r)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_json(ds: spine.Dataset, cx, data: list[tuple] | None = None) -> bytes:
    names = [c.name for c in ds.columns]
    doc = {
        **dictionary(ds, cx),
        "rows": [dict(zip(names, r, strict=True)) for r in (rows(ds, cx) if data is None else data)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")


_ARROW_TYPES = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_", "date": "string"}


def to_parquet(ds: spine.Dataset, cx, data: list[tuple] | None = None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = rows(ds, cx) if data is None else data
    meta = dictionary(ds, cx)
    fields = [
        pa.field(
            c["name"], getattr(pa, _ARROW_TYPES.get(c["type"], "string"))(), metadata={"description": c["description"]}
        )
        for c in meta["columns"]
    ]
    columns = list(zip(*data, strict=True)) if data else [() for _ in fields]
    arrays = [pa.array(list(col), type=f.type) for col, f in zip(columns, fields, strict=True)]
    schema = pa.schema(fields, metadata={"techvalley.dictionary": json.dumps(meta, ensure_ascii=False)})
    table = pa.Table.from_arrays(arrays, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def dictionary_csv(ds: spine.Dataset, cx) -> bytes:
    meta = dictionary(ds, cx)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["column", "type", "unit", "description"])
    for c in meta["columns"]:
        writer.writerow(safe_row([c["name"], c["type"], c["unit"], c["description"]]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render(ds: spine.Dataset, cx, fmt: str) -> bytes:
    return {"csv": to_csv, "json": to_json, "parquet": to_parquet}[check_format(fmt)](ds, cx)


def export(cx, target: Path, note=lambda key: None) -> list[dict]:
    """Write every registered dataset to ``target``: ``KEY.csv``, ``KEY.parquet``, ``KEY.json``,
    ``KEY.dictionary.csv``, and ``index.json`` listing them (title, licence, update date, files)."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for ds in spine.platform.datasets_sorted():
        note(ds.key)
        data = rows(ds, cx)
        files = {}
        for fmt, make in (("csv", to_csv), ("parquet", to_parquet), ("json", to_json)):
            path = target / f"{ds.key}.{fmt}"
            path.write_bytes(make(ds, cx, data))
            files[fmt] = path.name
        path = target / f"{ds.key}.dictionary.csv"
        path.write_bytes(dictionary_csv(ds, cx))
        files["dictionary"] = path.name
        meta = dictionary(ds, cx)
        summary = {k: meta[k] for k in ("key", "title", "source", "licence", "updated")}
        written.append({**summary, "rows": len(data), "files": files})
    (target / "index.json").write_text(
        json.dumps({"complex": cx.slug, "datasets": written}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return written
