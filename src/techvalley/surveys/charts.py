"""Server-side SVG charts of answer counts (horizontal bars, so long Korean labels fit): no script,
nothing from a CDN. The template ``surveys/_hbars.html`` draws what ``hbars`` returns."""

from __future__ import annotations

WIDTH, ROW, LABEL_W, PAD = 640, 26, 230, 8


def hbars(items: list[tuple[str, float]], total: int | None = None) -> dict:
    """Bars for ``(label, count)`` pairs; ``total`` (those answering) gives the share beside each bar."""
    top = max((v for _, v in items), default=0) or 1
    span = WIDTH - LABEL_W - 90
    bars = []
    for i, (label, value) in enumerate(items):
        y = PAD + i * ROW
        w = span * value / top
        share = f"{value / total:.0%}" if total else ""
        bars.append(
            {
                "y": y,
                "ty": y + ROW * 0.62,
                "w": round(w, 1),
                "label": label if len(label) <= 22 else label[:21] + "…",
                "full": label,
                "value": value,
                "share": share,
                "vx": round(LABEL_W + w + 6, 1),
            }
        )
    return {"width": WIDTH, "height": PAD * 2 + ROW * len(items), "bars": bars, "x0": LABEL_W, "bh": ROW - 8}
