"""Formatting of dashboard figures: numbers with thousands separators, dates as YYYY-MM-DD."""

import datetime as dt
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, (float, Decimal)):
        digits = 0 if abs(value) >= 100 else 1
        return number_format(round(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)
    return value


@register.filter
def as_of(value):
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or ""


@register.filter
def signal_value(value):
    """A company signal's value in words: yes / no for facts, numbers as figures."""
    from django.utils.translation import gettext

    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return figure(value)
