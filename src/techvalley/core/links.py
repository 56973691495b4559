"""Record links: one record (a plan achievement) pointing at a record of another module.

The target types are the ones apps registered with ``spine.linkable``; core knows no app.
``link_record`` and ``unlink_record`` are the only writes (audited); ``links_for_many``
resolves the links of many sources in one query per target type (no query per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from techvalley.core import spine
from techvalley.core.models import RecordLink
from techvalley.core.scoping import Viewer
from techvalley.core.validation import BadInput, clean_text, int_param


@dataclass(frozen=True)
class ResolvedLink:
    link: RecordLink
    type: spine.LinkableType
    target: Any
    title: str
    url: str
    public: bool


def can_link_records(viewer: Viewer, complex_id: int | None) -> bool:
    """The district's officers (the planning office among them) link records of their complex."""
    return viewer.is_officer_of(complex_id)


def linkable_type(key: str) -> spine.LinkableType:
    found = spine.platform.linkable_types.get(key)
    if found is None:
        known = ", ".join(sorted(spine.platform.linkable_types)) or "—"
        raise BadInput(f"연결할 수 없는 기록 종류입니다: {key} (가능: {known}). / unknown record type.", field="type")
    return found


def _complex_of(obj) -> int | None:
    return getattr(obj, "complex_id", None)


def link_record(viewer: Viewer, source, type_key: str, target_id: Any, note: str = "") -> RecordLink:
    """Link ``source`` to the record ``target_id`` of the registered type ``type_key``."""
    complex_id = _complex_of(source)
    if not can_link_records(viewer, complex_id):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("구청 담당자만 기록을 연결할 수 있습니다. / Only district officers link records.")
    kind = linkable_type(type_key)
    target_pk = int_param(target_id, "target", lo=1)
    if target_pk is None:
        raise BadInput("연결할 기록을 고르세요. / choose a record to link.", field="target")
    note = clean_text(note, "note", max_length=300)
    target = kind.model_class()._default_manager.filter(pk=target_pk).first()
    if target is None or _complex_of(target) not in (None, complex_id):
        raise BadInput("연결할 기록을 찾을 수 없습니다. / no such record in this complex.", field="target")
    try:
        with transaction.atomic():
            return RecordLink.objects.create(
                complex_id=complex_id,
                source_type=ContentType.objects.get_for_model(source),
                source_id=source.pk,
                target_type=kind.key,
                target_id=target_pk,
                note=note,
            )
    except IntegrityError:
        raise BadInput("이미 연결된 기록입니다. / already linked.", code="conflict", status=409) from None


def unlink_record(viewer: Viewer, link: RecordLink) -> None:
    if not can_link_records(viewer, link.complex_id):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("구청 담당자만 연결을 지울 수 있습니다. / Only district officers remove links.")
    link.delete()


def links_for_many(sources: Iterable, public_only: bool = False) -> dict[int, list[ResolvedLink]]:
    """The resolved links of every source (all of one model), keyed by source id.

    ``public_only`` drops links whose target is not public (for the public pledge page).
    Targets whose type is no longer registered, or that were deleted, are left out.
    """
    sources = list(sources)
    if not sources:
        return {}
    ctype = ContentType.objects.get_for_model(sources[0])
    rows = list(RecordLink.objects.filter(source_type=ctype, source_id__in=[s.pk for s in sources]).order_by("id"))
    by_type: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        by_type[r.target_type].add(r.target_id)
    targets: dict[tuple[str, int], Any] = {}
    for key, ids in by_type.items():
        kind = spine.platform.linkable_types.get(key)
        if kind is None:
            continue
        for obj in kind.model_class()._default_manager.filter(pk__in=ids):
            targets[(key, obj.pk)] = obj
    out: dict[int, list[ResolvedLink]] = defaultdict(list)
    for r in rows:
        kind = spine.platform.linkable_types.get(r.target_type)
        target = targets.get((r.target_type, r.target_id))
        if kind is None or target is None:
            continue
        public = bool(kind.is_public(target))
        if public_only and not public:
            continue
        out[r.source_id].append(ResolvedLink(r, kind, target, kind.title(target), kind.url(target), public))
    return dict(out)


def candidates(type_key: str, complex_obj, query: str = "", limit: int = 30) -> list[tuple[int, str]]:
    """(id, title) of the records an officer may pick for a link."""
    kind = linkable_type(type_key)
    query = clean_text(query, "q", max_length=100)
    return [(obj.pk, kind.title(obj)) for obj in list(kind.candidates(complex_obj, query))[:limit]]
