"""Tiny server-side SVG charts (bars and lines): no JavaScript library, nothing from a CDN."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 640, 220, 34


def bars(labels: list[str], values: list[float]) -> dict:
    top = max(values, default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(values), 1)
    out = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = (HEIGHT - 2 * PAD) * v / top
        out.append(
            {
                "x": round(PAD + i * step + step * 0.1, 1),
                "y": round(HEIGHT - PAD - h, 1),
                "w": round(step * 0.8, 1),
                "h": round(h, 1),
                "label": label,
                "value": v,
                "lx": round(PAD + i * step + step / 2, 1),
            }
        )
    return {"width": WIDTH, "height": HEIGHT, "bars": out, "max": top, "base": HEIGHT - PAD}


def lines(series: dict[str, list[float]], labels: list[str]) -> dict:
    top = max((v for vals in series.values() for v in vals), default=0) or 1
    n = max((len(v) for v in series.values()), default=1)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    paths = {}
    for name, vals in series.items():
        pts = [f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top:.1f}" for i, v in enumerate(vals)]
        paths[name] = " ".join(pts)
    ticks = [
        {"x": round(PAD + i * step, 1), "label": labels[i]} for i in range(0, len(labels), max(1, len(labels) // 8))
    ]
    return {"width": WIDTH, "height": HEIGHT, "paths": paths, "max": top, "ticks": ticks, "base": HEIGHT - PAD}
