"""Template filters of plan tracking."""

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def in_language(text: str) -> str:
    """The side of a stored "한국어 / English" text (history reasons, workflow notes) in the page's
    language; text without the separator is shown as it is."""
    if not isinstance(text, str) or " / " not in text:
        return text
    korean, _sep, english = text.partition(" / ")
    language = translation.get_language() or "ko"
    return korean if language.startswith("ko") else english


@register.filter
def actor(label: str) -> str:
    """Who made a change: a user name, the command line ("cli:…"), or the platform itself."""
    if not label or label == "system":
        return _("the platform (no signed-in user)")
    if label.startswith("cli:"):
        return _("command line (%(user)s)") % {"user": label.removeprefix("cli:")}
    return label
