"""Template filters of the registry: technology levels, KSIC levels, knowledge-centre verdicts,
certifications, import counts and the permission predicates pages need (``{% load registry_tags %}``)."""

from django import template
from django.utils.translation import get_language

from techvalley.core.scoping import viewer_for
from techvalley.registry import labels, permissions
from techvalley.registry.ksic import INTENSITY_LABELS

register = template.Library()


def _bilingual(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") else ko


@register.filter
def intensity_label(key: str) -> str:
    """The technology-intensity group (기술수준) in the page's language."""
    return _bilingual(*INTENSITY_LABELS.get(key, (key, key)))


@register.filter
def ksic_level(level: int) -> str:
    return _bilingual(*labels.KSIC_LEVELS.get(level, (str(level), str(level))))


@register.filter
def certification_label(key: str) -> str:
    from techvalley.registry.models import CERTIFICATIONS

    return str(CERTIFICATIONS.get(key, key))


@register.filter
def ksic_method_label(key: str) -> str:
    """How the code was found (exact name, spelling variant, similar name, by hand …)."""
    return str(labels.KSIC_METHODS.get(key, key))


@register.filter
def ksic_status_label(key: str) -> str:
    return str(labels.KSIC_STATUSES.get(key, key))


@register.filter
def count_label(key: str) -> str:
    """A counter of an import summary ("created", "missing" …) in words."""
    return str(labels.IMPORT_COUNTS.get(key, key))


@register.filter
def format_label(key: str) -> str:
    """A registry file's layout ("busan-csv", "kicox-json" …) in words."""
    return str(labels.file_format(key))


@register.filter
def can_edit_profile(company, user) -> bool:
    """``{% if company|can_edit_profile:request.user %}``: whether to show the edit button."""
    return permissions.can_edit_profile(viewer_for(user), company)


@register.filter
def can_view_private(company, user) -> bool:
    return permissions.can_view_private(viewer_for(user), company)
