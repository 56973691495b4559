"""Vocabulary several apps share (kept in core, which every app may import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    """Where public-programme money comes from: 국비, 시비, 구비, 민자 (the 공약가계부's columns)."""

    NATIONAL = "national", _("National (국비)")
    CITY = "city", _("City (시비)")
    DISTRICT = "district", _("District (구비)")
    PRIVATE = "private", _("Private (민자)")
