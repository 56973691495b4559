from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination

from techvalley.core import selectors
from techvalley.core.models import Complex
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import PAGE_MAX

router = Router(tags=["core"])


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination whose page number is bounded (a huge one is a 422, not a crash)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=500)


class MeOut(Schema):
    username: str | None
    role: str
    officer_of: list[int]
    organisations: list[int]


class ChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class AuditOut(Schema):
    at: datetime
    actor: str
    actor_label: str
    action: str
    action_label: str
    model: str
    kind: str
    object_id: str
    object_repr: str
    reason: str
    changes: dict
    changes_readable: list[ChangeOut]


class AuditPage(Schema):
    count: int
    page: int
    items: list[AuditOut]


def viewer(request: HttpRequest):
    return viewer_for(request.user if request.user.is_authenticated else None)


def require_officer(request: HttpRequest, cx: Complex | None = None):
    v = viewer(request)
    if not (v.is_officer_of(cx.pk) if cx is not None else v.is_officer):
        raise HttpError(403, "구청 담당자만 볼 수 있습니다. / District officers only.")
    return v


def get_complex(slug: str | None) -> Complex:
    cx = selectors.complex_for(slug)
    if cx is None:
        raise HttpError(404, f"산업단지를 찾을 수 없습니다. / No complex '{slug}'.")
    return cx


@router.get("/me", response=MeOut)
def me(request):
    v = viewer(request)
    return {
        "username": v.username or None,
        "role": v.role_label,
        "officer_of": sorted(v.officer_complex_ids),
        "organisations": sorted(v.org_ids),
    }


@router.get("/audit", response=AuditPage)
def audit(
    request,
    complex: str | None = None,
    model: str = "",
    object_id: str = "",
    actor: str = "",
    action: str = "",
    company: str = "",
    since: str = "",
    until: str = "",
    page: int = Query(1, ge=1, le=PAGE_MAX),
    page_size: int = Query(100, ge=1, le=500),
):
    """The audit trail of a complex (officers), newest first, with the changes in words.

    Filters as on the audit page: ``actor`` (who), ``action``, ``company`` (number or part of the
    name), ``since``/``until`` (YYYY-MM-DD), ``model`` ("registry.Company") and ``object_id``.
    """
    cx = get_complex(complex)
    v = require_officer(request, cx)
    filters = selectors.AuditFilters.from_params(
        {
            "model": model,
            "object_id": object_id,
            "actor": actor,
            "action": action,
            "company": company,
            "since": since,
            "until": until,
        }
    )
    qs = selectors.audit_trail(v, cx, filters=filters)
    items = list(qs[(page - 1) * page_size : page * page_size])
    return {"count": qs.count(), "page": page, "items": [r.as_dict() for r in selectors.describe_entries(items)]}
