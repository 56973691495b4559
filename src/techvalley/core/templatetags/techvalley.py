from django import template
from django.utils.translation import get_language

from techvalley.registry.ksic import INTENSITY_LABELS

register = template.Library()


@register.filter
def intensity_label(key: str) -> str:
    """The technology-intensity group in the page's language."""
    ko, en = INTENSITY_LABELS.get(key, (key, key))
    return en if (get_language() or "ko").startswith("en") else ko
