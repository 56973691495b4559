"""Words for the registry's stored values (Korean first through the app's catalogue), so that
pages, exports and summaries never show a raw key such as ``resolved`` or ``medium_high``."""

from django.utils.translation import gettext_lazy as _

KSIC_LEVELS = {
    1: ("대분류", "section"),
    2: ("중분류", "division"),
    3: ("소분류", "group"),
    4: ("세분류", "class"),
    5: ("세세분류", "sub-class"),
}
INTENSITIES = {
    "high": _("High-tech"),
    "medium_high": _("Medium-high-tech"),
    "medium_low": _("Medium-low-tech"),
    "low": _("Low-tech"),
    "knowledge_services": _("Knowledge-intensive services"),
    "other": _("Other (non-manufacturing)"),
    "unknown": _("Unclassified"),
}
KSIC_STATUSES = {"resolved": _("classified"), "review": _("needs review")}
KSIC_METHODS = {
    "code": _("code in the file"),
    "exact": _("exact name"),
    "normalized": _("same name, other spacing"),
    "fuzzy": _("similar name"),
    "manual": _("set by an officer"),
    "unresolved": _("not placed"),
    "empty": _("no industry given"),
}
IMPORT_COUNTS = {
    "rows": _("rows in the file"),
    "created": _("new companies"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "invalid": _("invalid rows"),
    "missing": _("no longer in the registry"),
    "kept": _("kept (their rows were skipped)"),
    "returned": _("back in the registry"),
    "review": _("industry needs review"),
    "outside": _("outside the complex"),
    "merged": _("repeated registrations merged"),
    "imported": _("companies changed"),
}
#: The order summaries list the counters in.
IMPORT_COUNT_ORDER = tuple(IMPORT_COUNTS)
FILE_LAYOUTS = {"busan": _("Busan factory registry"), "kicox": _("KICOX factory registry")}
FILE_KINDS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel"}


def file_format(fmt: str) -> str:
    """ "busan-csv" → "Busan factory registry (CSV)" in the page's language."""
    layout, _sep, kind = (fmt or "").partition("-")
    name = FILE_LAYOUTS.get(layout)
    if name is None:
        return fmt
    return f"{name} ({FILE_KINDS.get(kind, kind)})" if kind else str(name)


def import_summary(counts: dict) -> list[tuple[str, str, int]]:
    """(key, label, value) of an import's counters, in a fixed order, known ones only."""
    return [(k, str(IMPORT_COUNTS[k]), counts[k]) for k in IMPORT_COUNT_ORDER if k in counts]
