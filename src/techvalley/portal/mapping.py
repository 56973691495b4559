"""A small SVG map (no tiles, no internet): the complex outline and company points.

Coordinates are projected equirectangularly around the centre latitude, which is exact
enough at the scale of one complex (a few kilometres).
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources

WIDTH = 800


@cache
def zone_outline() -> dict:
    path = resources.files("techvalley.portal") / "data" / "sinpyeong_jangnim_zone_approx.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def svg_map(points: list[tuple[float, float, str, str]], outline: dict | None = None) -> dict:
    """Paths of the outline and circles of the points, scaled to a WIDTH-wide view box.

    ``points`` are (lon, lat, css_class, title).
    """
    outline = outline if outline is not None else zone_outline()
    rings = _rings(outline.get("geometry", {}))
    xs = [p[0] for r in rings for p in r] + [p[0] for p in points]
    ys = [p[1] for r in rings for p in r] + [p[1] for p in points]
    if not xs:
        return {"width": WIDTH, "height": 400, "paths": [], "points": []}
    kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x = max((max(xs) - min(xs)) * kx, 1e-6)
    span_y = max(max(ys) - min(ys), 1e-6)
    scale = (WIDTH - 20) / span_x
    height = int(span_y * scale) + 20

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon - min(xs)) * kx * scale, 1), round(10 + (max(ys) - lat) * scale, 1)

    paths = ["M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in ring)) + " Z" for ring in rings]
    circles = [(*project(lon, lat), cls, title) for lon, lat, cls, title in points]
    return {
        "width": WIDTH,
        "height": height,
        "paths": paths,
        "points": circles,
        "note": outline.get("properties", {}).get("note", ""),
    }
