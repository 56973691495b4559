"""Deterministic synthetic meter readings with realistic load shapes (no database here).

Each meter gets a profile from its index (seeded): shift pattern (one shift, two shifts, round
the clock), base load share, weekend and Korean public holiday behaviour, seasonal heating and
cooling. Values are energy per interval in the meter's unit (kWh per 15 minutes for
electricity, Nm³ for city gas …). Everything is vectorised with NumPy and written in chunks, so
memory stays flat whatever the number of meters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

INTERVALS_PER_DAY = 96
STEP = np.timedelta64(15, "m")
# Mostly electricity, as in a metal-working complex; some gas, a little of the rest.
KIND_MIX = [
    ("electricity", 0.72),
    ("city_gas", 0.14),
    ("lpg", 0.04),
    ("diesel", 0.03),
    ("steam", 0.02),
    ("solar", 0.05),
]
UNITS = {"electricity": "kWh", "city_gas": "Nm3", "lpg": "kg", "diesel": "L", "steam": "GJ", "solar": "kWh"}
SCHEMA = pa.schema([("meter_id", pa.string()), ("timestamp", pa.timestamp("s")), ("value", pa.float64())])


@dataclass(frozen=True)
class MeterSpec:
    meter_id: str
    company: str
    kind: str
    unit: str
    resolution: str = "15min"
    size: float | None = None  # full-load use per 15 minutes; drawn at random when not given
    step: tuple[dt.date, float] | None = None  # from this day on, use falls by this share (a measure)


def meter_specs(n: int, companies: list[str], seed: int = 7) -> list[MeterSpec]:
    rng = np.random.default_rng(seed)
    kinds, weights = zip(*KIND_MIX, strict=True)
    drawn = rng.choice(len(kinds), size=n, p=np.array(weights) / sum(weights))
    specs = []
    for i in range(n):
        kind = kinds[drawn[i]] if i >= len(companies) else "electricity"  # every company has power
        specs.append(MeterSpec(f"M{i + 1:06d}", companies[i % len(companies)], kind, UNITS[kind]))
    return specs


def day_types(start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day: is it a working day, the day of year (for seasons), and the dates."""
    dates = np.array([start + dt.timedelta(days=d) for d in range(days)])
    kr = holidays.country_holidays("KR", years=range(start.year, (start + dt.timedelta(days=days)).year + 1))
    working = np.array([d.weekday() < 5 and d not in kr for d in dates])
    doy = np.array([d.timetuple().tm_yday for d in dates])
    return working, doy, dates


def _profile(
    rng: np.random.Generator, kind: str, working: np.ndarray, doy: np.ndarray, size: float | None = None
) -> np.ndarray:
    """One meter's readings for all days: shape (days, 96)."""
    days = len(working)
    hour = np.arange(INTERVALS_PER_DAY) / 4.0
    shift = rng.choice([1, 2, 3], p=[0.55, 0.3, 0.15])
    on = {1: (hour >= 8) & (hour < 18), 2: (hour >= 6) & (hour < 22), 3: np.ones(INTERVALS_PER_DAY, bool)}[shift]
    ramp = np.convolve(on.astype(float), np.ones(4) / 4, mode="same")  # a one-hour ramp up and down
    lunch = np.where((hour >= 12) & (hour < 13) & (shift < 3), 0.6, 1.0)
    base = rng.uniform(0.12, 0.35)
    drawn = np.exp(rng.normal(3.2, 0.9))  # kWh per 15 min at full load: a few kW to a few MW
    size = drawn if size is None else size * rng.lognormal(0, 0.35)
    daily = base + (1 - base) * ramp * lunch
    cooling = np.clip(np.cos((doy - 205) / 365 * 2 * np.pi), 0, None) ** 2  # peaks late July
    heating = np.clip(np.cos((doy - 15) / 365 * 2 * np.pi), 0, None) ** 2  # peaks mid January
    weekend = np.where(working, 1.0, base * rng.uniform(0.9, 1.6))  # off days run at base load
    if kind == "electricity":
        season = 1 + 0.25 * cooling + 0.1 * heating
        load = np.outer(weekend * season, daily) * size
    elif kind == "solar":
        sun = np.clip(np.sin((hour - 6) / 13 * np.pi), 0, None)
        season = 0.75 + 0.35 * np.cos((doy - 172) / 365 * 2 * np.pi)
        load = np.outer(season * rng.uniform(0.3, 1.0, days), sun) * size * 0.4
    else:
        season = 0.3 + 1.2 * heating if kind in ("city_gas", "steam") else np.ones(days)
        scale = {"city_gas": 0.09, "lpg": 0.07, "diesel": 0.1, "steam": 0.0032}[kind]
        load = np.outer(weekend * season, daily) * size * scale
    noise = rng.lognormal(0, 0.08, load.shape)
    return np.round(load * noise, 4)


def readings(
    specs: list[MeterSpec], start: dt.date, days: int, seed: int = 7, chunk_meters: int = 50
) -> Iterator[pa.Table]:
    """Tables of (meter_id, timestamp, value), meter by meter, ``chunk_meters`` at a time."""
    working, doy, dates = day_types(start, days)
    t0 = np.datetime64(start.isoformat(), "s")
    stamps = t0 + np.arange(days * INTERVALS_PER_DAY) * STEP
    for lo in range(0, len(specs), chunk_meters):
        part = specs[lo : lo + chunk_meters]
        values = []
        for j, s in enumerate(part):
            load = _profile(np.random.default_rng((seed, lo + j)), s.kind, working, doy, s.size)
            if s.step is not None:
                load[dates >= s.step[0]] *= 1 - s.step[1]
            values.append(load.ravel())
        n = len(stamps)
        ids = pa.DictionaryArray.from_arrays(
            np.repeat(np.arange(len(part), dtype=np.int32), n), pa.array([s.meter_id for s in part])
        ).cast(pa.string())
        yield pa.table([ids, pa.array(np.tile(stamps, len(part))), pa.array(np.concatenate(values))], schema=SCHEMA)


def write(
    specs: list[MeterSpec], start: dt.date, days: int, out: Path, *, fmt: str = "parquet", seed: int = 7, progress=None
) -> dict:
    """Write DIR/meters.csv and DIR/readings.parquet (or .csv) in the generic layout."""
    out.mkdir(parents=True, exist_ok=True)
    meters = pa.table(
        {
            "meter_id": [s.meter_id for s in specs],
            "company": [s.company for s in specs],
            "kind": [s.kind for s in specs],
            "unit": [s.unit for s in specs],
            "resolution": [s.resolution for s in specs],
        }
    )
    pacsv.write_csv(meters, out / "meters.csv")
    path = out / f"readings.{fmt}"
    rows = 0
    writer = None
    try:
        for table in readings(specs, start, days, seed):
            if fmt == "parquet":
                writer = writer or pq.ParquetWriter(path, SCHEMA, compression="zstd")
                writer.write_table(table, row_group_size=1_000_000)
            else:
                options = pacsv.WriteOptions(include_header=rows == 0)
                with open(path, "ab" if rows else "wb") as f:
                    pacsv.write_csv(table, f, write_options=options)
            rows += table.num_rows
            if progress:
                progress(rows)
    finally:
        if writer is not None:
            writer.close()
    return {"meters": len(specs), "rows": rows, "meters_csv": str(out / "meters.csv"), "readings": str(path)}
