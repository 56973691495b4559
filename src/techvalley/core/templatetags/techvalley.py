from django import template
from django.utils.translation import get_language

from techvalley.registry.ksic import INTENSITY_LABELS

register = template.Library()


@register.filter
def intensity_label(key: str) -> str:
    """The technology-intensity group in the page's language."""
    ko, en = INTENSITY_LABELS.get(key, (key, key))
    return en if (get_language() or "ko").startswith("en") else ko


def _bilingual(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") else ko


KIC_VERDICTS = {
    "eligible": ("입주 가능", "May occupy"),
    "support_facility": ("지원시설로만 입주 가능", "Only as a support facility"),
    "not_eligible": ("입주 대상 아님", "Not eligible"),
    "unknown": ("판정 불가 (업종 미분류)", "Cannot tell (industry not classified)"),
}
LEVELS = {
    1: ("대분류", "section"),
    2: ("중분류", "division"),
    3: ("소분류", "group"),
    4: ("세분류", "class"),
    5: ("세세분류", "sub-class"),
}


@register.filter
def kic_verdict(key: str) -> str:
    return _bilingual(*KIC_VERDICTS.get(key, (key, key)))


@register.filter
def ksic_level(level: int) -> str:
    return _bilingual(*LEVELS.get(level, (str(level), str(level))))


@register.filter
def certification_label(key: str) -> str:
    from techvalley.registry.models import CERTIFICATIONS

    return str(CERTIFICATIONS.get(key, key))
