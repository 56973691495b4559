"""Checks of Korean business identifiers (plain functions, also Django validators)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
CORP_WEIGHTS = (1, 2) * 6


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def brn_is_valid(value: str) -> bool:
    """A 사업자등록번호 (10 digits) whose last digit matches the National Tax Service check digit."""
    d = digits_only(value)
    if len(d) != 10 or len(value.replace("-", "").strip()) != 10:
        return False
    n = [int(c) for c in d]
    total = sum(a * b for a, b in zip(n[:9], BRN_WEIGHTS, strict=True)) + (n[8] * 5) // 10
    return (10 - total % 10) % 10 == n[9]


def corporate_no_is_valid(value: str) -> bool:
    """A 법인등록번호 (13 digits) with its check digit."""
    d = digits_only(value)
    if len(d) != 13:
        return False
    n = [int(c) for c in d]
    total = sum(a * b for a, b in zip(n[:12], CORP_WEIGHTS, strict=True))
    return (10 - total % 10) % 10 == n[12]


def validate_brn(value: str) -> None:
    if value and not brn_is_valid(value):
        raise ValidationError(
            _("사업자등록번호가 올바르지 않습니다 (10자리, 검증번호 불일치). / Invalid business registration number."),
            code="invalid_brn",
        )


def validate_corporate_no(value: str) -> None:
    if value and not corporate_no_is_valid(value):
        raise ValidationError(
            _("법인등록번호가 올바르지 않습니다 (13자리, 검증번호 불일치). / Invalid corporate registration number."),
            code="invalid_corporate_no",
        )
