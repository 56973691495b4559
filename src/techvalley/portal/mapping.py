"""A small SVG map (no tiles, no internet): the complex outline and company points.

Coordinates are projected equirectangularly around the centre latitude, which is exact
enough at the scale of one complex (a few kilometres).
"""

from __future__ import annotations

import json
import math
from functools import cache
from html import escape
from importlib import resources

from django.utils.safestring import mark_safe

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
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * kx, 1e-6)
    span_y = max(max_y - min_y, 1e-6)
    scale = (WIDTH - 20) / span_x
    height = int(span_y * scale) + 20

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon - min_x) * kx * scale, 1), round(10 + (max_y - lat) * scale, 1)

    paths = ["M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in ring)) + " Z" for ring in rings]
    circles = [(*project(lon, lat), cls, title) for lon, lat, cls, title in points]
    return {
        "width": WIDTH,
        "height": height,
        "paths": paths,
        "points": circles,
        # The circles as markup, escaped by hand once here: a template loop (or format_html) over
        # a thousand points costs more than the rest of the page.
        "points_svg": mark_safe(  # noqa: S308 - every text is escaped
            "".join(
                f'<circle cx="{x}" cy="{y}" r="3" class="pt {escape(str(cls))}">'
                f"<title>{escape(str(title))}</title></circle>"
                for x, y, cls, title in circles
            )
        ),
        "note": outline.get("properties", {}).get("note", ""),
    }


def svg_layers(layers: list[dict], outline: dict | None = None) -> dict:
    """The map of several layers: each point a circle in its category's colour, inside a link to
    its record, tagged with its layer and category so the page's toggles can hide it.

    ``layers``: ``[{"layer": MapLayer, "points": [MapPoint], "on": bool, "legend": [{"key",
    "colour", "on"}]}]``. Points of a layer or category switched off are drawn hidden (the
    toggles show them again without a reload).
    """
    outline = outline if outline is not None else zone_outline()
    rings = _rings(outline.get("geometry", {}))
    xs = [p[0] for r in rings for p in r] + [pt.lon for la in layers for pt in la["points"]]
    ys = [p[1] for r in rings for p in r] + [pt.lat for la in layers for pt in la["points"]]
    if not xs:
        return {"width": WIDTH, "height": 400, "paths": [], "points_svg": "", "note": ""}
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    kx = math.cos(math.radians((min_y + max_y) / 2))
    scale = (WIDTH - 20) / max((max_x - min_x) * kx, 1e-6)
    height = int(max(max_y - min_y, 1e-6) * scale) + 20

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon - min_x) * kx * scale, 1), round(10 + (max_y - lat) * scale, 1)

    paths = ["M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in ring)) + " Z" for ring in rings]
    # Escaped by hand, once per text: format_html over a thousand points is most of the page.
    parts = []
    for i, la in enumerate(layers):
        colours = {c["key"]: c["colour"] for c in la["legend"]}
        shown = {c["key"] for c in la["legend"] if c["on"]} if la["on"] else set()
        radius = 3 if i == 0 else 5
        layer_key = escape(la["layer"].key)
        for pt in la["points"]:
            x, y = project(pt.lon, pt.lat)
            title = f"{pt.label} — {pt.detail}" if pt.detail else pt.label
            off = "" if pt.category in shown else " off"
            colour = escape(colours.get(pt.category, "#888888"))
            parts.append(
                f'<a href="{escape(pt.url or "#")}" data-layer="{layer_key}" data-cat="{escape(pt.category)}" '
                f'class="pt{off}"><circle cx="{x}" cy="{y}" r="{radius}" fill="{colour}">'
                f"<title>{escape(title)}</title></circle></a>"
            )
    return {
        "width": WIDTH,
        "height": height,
        "paths": paths,
        "points_svg": mark_safe("".join(parts)),  # noqa: S308 - every text above is escaped
        "note": outline.get("properties", {}).get("note", ""),
    }
