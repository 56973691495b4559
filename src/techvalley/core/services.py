"""Use cases of core: complexes, organisations, people and API tokens — the only code that changes them.

Every function validates its input with ``core.validation`` (raising ``BadInput`` with a
message in Korean, then English), writes in one transaction and leaves an entry in the audit
trail, attributed to the actor of ``core.audit.acting_as`` (the CLI, a request, the demo).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import translation

from techvalley.core import audit
from techvalley.core.models import ApiToken, Complex, Membership, Organisation
from techvalley.core.validation import BadInput, clean_text, finite, int_param, year_param

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
USERNAME_RE = re.compile(r"^[\w.@+-]+$")
#: Roles that make someone a district officer: only meaningful in a district office.
OFFICER_ROLES = {Membership.Role.OFFICER, Membership.Role.PLANNER}

#: Complex fields a caller may set, with the check each value goes through.
COMPLEX_FIELDS = ("name", "name_en", "sigungu", "legal_dongs", "area_km2", "founded_year", "center_lon", "center_lat")


# --- checks --------------------------------------------------------------------------------


def check_slug(slug: Any, name: str = "slug") -> str:
    slug = clean_text(slug, name, max_length=50, required=True).strip()
    if not SLUG_RE.match(slug):
        raise BadInput(
            f"{name}: '{slug[:50]}'은(는) 쓸 수 없습니다. 영문 소문자·숫자·하이픈만 (예: sinpyeong-jangnim). "
            f"/ use lower-case letters, digits and hyphens only (e.g. sinpyeong-jangnim).",
            field=name,
        )
    return slug


def check_kind(kind: Any) -> str:
    kinds = Organisation.Kind.values
    if kind not in kinds:
        raise BadInput(
            f"kind: 알 수 없는 기관 종류 '{str(kind)[:40]}'. 가능한 값: {', '.join(kinds)} "
            f"/ unknown organisation kind; one of {', '.join(kinds)}.",
            field="kind",
        )
    return kind


def check_role(role: Any) -> str:
    roles = Membership.Role.values
    if role not in roles:
        raise BadInput(
            f"role: 알 수 없는 역할 '{str(role)[:40]}'. 가능한 값: {', '.join(roles)} "
            f"/ unknown role; one of {', '.join(roles)}.",
            field="role",
        )
    return role


def check_password(password: str, user) -> None:
    """Django's password validators; the reasons in Korean, then in English."""
    clean_text(password, "password", max_length=4096)
    reasons = {}
    for lang in ("ko", "en"):
        # The validators format their messages when they fail: run them in each language.
        with translation.override(lang):
            try:
                validate_password(password, user)
                return
            except ValidationError as exc:
                reasons[lang] = " ".join(exc.messages)
    raise BadInput(
        f"password: 비밀번호를 쓸 수 없습니다 — {reasons['ko']} / password refused — {reasons['en']}", field="password"
    )


def get_complex(slug: Any) -> Complex:
    slug = clean_text(slug, "complex", max_length=50, required=True).strip()
    cx = Complex.objects.filter(slug=slug).first()
    if cx is None:
        known = ", ".join(Complex.objects.values_list("slug", flat=True)) or "—"
        raise BadInput(
            f"complex: 산업단지 '{slug}'이(가) 없습니다 (등록된 단지: {known}). "
            f"`techvalley complex add` 또는 `techvalley setup`으로 추가하세요. "
            f"/ no complex '{slug}' (known: {known}); add one with `techvalley complex add` or `techvalley setup`.",
            field="complex",
            status=404,
        )
    return cx


def get_organisation(cx: Complex, name: Any) -> Organisation:
    name = clean_text(name, "org", max_length=200, required=True).strip()
    org = Organisation.objects.filter(complex=cx, name=name).first()
    if org is None:
        known = ", ".join(Organisation.objects.filter(complex=cx).values_list("name", flat=True)[:20]) or "—"
        raise BadInput(
            f"org: {cx.name}에 기관 '{name}'이(가) 없습니다 (등록된 기관: {known}). `techvalley org add`로 추가하세요. "
            f"/ no organisation '{name}' in {cx.slug} (known: {known}); add it with `techvalley org add`.",
            field="org",
            status=404,
        )
    return org


def get_user(username: Any):
    username = clean_text(username, "username", max_length=150, required=True).strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise BadInput(
            f"username: 사용자 '{username}'이(가) 없습니다. / no user '{username}'.", field="username", status=404
        )
    return user


def _complex_values(values: dict) -> dict:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in COMPLEX_FIELDS:
            raise BadInput(f"{key}: 알 수 없는 항목입니다. / unknown field.", field=key)
        if key == "name":
            clean[key] = clean_text(value, key, max_length=200, required=True).strip()
        elif key in ("name_en", "sigungu"):
            clean[key] = clean_text(value, key, max_length=200 if key == "name_en" else 100).strip()
        elif key == "legal_dongs":
            dongs = [clean_text(d, "dong", max_length=50).strip() for d in (value or [])]
            if any(not d or "," in d for d in dongs):
                raise BadInput(
                    "dong: 법정동 이름이 비어 있거나 쉼표가 있습니다 (동마다 --dong을 한 번씩). "
                    "/ a legal dong is empty or contains a comma (one --dong per dong).",
                    field="dong",
                )
            clean[key] = list(dict.fromkeys(dongs))
        elif key == "area_km2":
            if value in (None, ""):
                clean[key] = None
            else:
                area = finite(value, "area_km2")
                if not 0 < area < 1_000_000:
                    raise BadInput(
                        "area_km2: 0보다 크고 1,000,000 미만이어야 합니다. / must be above 0 and below 1,000,000.",
                        field=key,
                    )
                clean[key] = Decimal(str(round(area, 2)))
        elif key == "founded_year":
            clean[key] = year_param(value, "founded_year")
        elif key in ("center_lon", "center_lat"):
            if value in (None, ""):
                clean[key] = None
            else:
                number = finite(value, key)
                limit = 180 if key == "center_lon" else 90
                if not -limit <= number <= limit:
                    raise BadInput(f"{key}: -{limit}~{limit} 사이여야 합니다. / must be within ±{limit}.", field=key)
                clean[key] = number
    return clean


# --- the audit of core's own records --------------------------------------------------------


def _record(instance: models.Model, action: str, changes: dict, complex_id: int | None) -> None:
    """An audit entry for a core record, unless the model is ``@audited`` (then its signal wrote one)."""
    if type(instance) in audit._AUDITED:
        return
    e = audit.entry(instance, action, {k: v for k, v in changes.items() if v[0] != v[1]})
    e.complex_id = complex_id
    e.save()


def _created(values: dict) -> dict:
    return {k: [None, audit.jsonable(v)] for k, v in values.items() if v not in (None, "", [], {})}


# --- complexes -----------------------------------------------------------------------------


def add_complex(slug: str, name: str, **values) -> Complex:
    """A new industrial complex. ``values``: name_en, sigungu, legal_dongs, area_km2, founded_year …"""
    slug = check_slug(slug)
    clean = _complex_values({"name": name, **values})
    with transaction.atomic():
        if Complex.objects.filter(slug=slug).exists():
            raise BadInput(
                f"slug: 산업단지 '{slug}'이(가) 이미 있습니다 (수정: `techvalley complex edit`). "
                f"/ complex '{slug}' exists already (change it with `techvalley complex edit`).",
                field="slug",
                code="conflict",
                status=409,
            )
        cx = Complex.objects.create(slug=slug, **clean)
        _record(cx, "create", _created({"slug": slug, **clean}), cx.pk)
    return cx


def update_complex(cx: Complex | str, reason: str = "", **values) -> Complex:
    """Change a complex's name, district, legal dongs, area … (only the values given)."""
    if not isinstance(cx, Complex):
        cx = get_complex(cx)
    clean = _complex_values(values)
    with transaction.atomic():
        cx = Complex.objects.select_for_update().get(pk=cx.pk)
        changes = {k: [audit.jsonable(getattr(cx, k)), audit.jsonable(v)] for k, v in clean.items()}
        for key, value in clean.items():
            setattr(cx, key, value)
        cx.save()
        _record(cx, "update", changes, cx.pk)
    return cx


# --- organisations -------------------------------------------------------------------------


def add_organisation(cx: Complex | str, kind: str, name: str) -> Organisation:
    """A company, university, agency, district office or support centre working in a complex."""
    if not isinstance(cx, Complex):
        cx = get_complex(cx)
    kind = check_kind(kind)
    name = clean_text(name, "name", max_length=200, required=True).strip()
    try:
        with transaction.atomic():
            org = Organisation.objects.create(complex=cx, kind=kind, name=name)
            _record(org, "create", _created({"complex_id": cx.pk, "kind": kind, "name": name}), cx.pk)
    except IntegrityError:
        raise BadInput(
            f"name: {cx.name}에 '{name}' 기관이 이미 있습니다. / '{name}' exists already in {cx.slug}.",
            field="name",
            code="conflict",
            status=409,
        ) from None
    return org


# --- people --------------------------------------------------------------------------------


@dataclass
class NewUser:
    user: Any
    membership: Membership | None
    #: The password when the platform generated it (show it once), else "".
    generated_password: str = ""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_role_fits(org: Organisation, role: str) -> None:
    if role in OFFICER_ROLES and org.kind != Organisation.Kind.DISTRICT:
        raise BadInput(
            f"role: '{role}' 역할은 구청(district) 기관에만 줄 수 있습니다 ('{org.name}'은(는) 구청이 아님). "
            f"/ the role '{role}' belongs in a district office; '{org.name}' is a {org.kind}.",
            field="role",
        )


def add_user(
    username: str,
    password: str | None,
    org: Organisation | None = None,
    role: str | None = None,
    email: str = "",
) -> NewUser:
    """A person who signs in, with their role in an organisation. Without a password one is
    generated (returned once in ``generated_password``)."""
    User = get_user_model()
    username = clean_text(username, "username", max_length=150, required=True).strip()
    if not USERNAME_RE.match(username):
        raise BadInput(
            "username: 영문·숫자와 @ . + - _ 만 쓸 수 있습니다. / letters, digits and @ . + - _ only.",
            field="username",
        )
    email = clean_text(email, "email", max_length=254).strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise BadInput(
                f"email: 올바른 이메일 주소가 아닙니다. / '{email}' is not an e-mail address.", field="email"
            ) from None
    if (org is None) != (role is None):
        raise BadInput(
            "org, role: 기관과 역할은 함께 지정합니다. / give the organisation and the role together.", field="role"
        )
    if role is not None:
        check_role(role)
        _check_role_fits(org, role)
    generated = ""
    if password is None or password == "":
        password = generated = generate_password()
    user = User(username=username, email=email)
    check_password(password, user)
    try:
        with transaction.atomic():
            if User.objects.filter(username=username).exists():
                raise IntegrityError
            user.set_password(password)
            user.save()
            complex_id = org.complex_id if org is not None else None
            _record(user, "create", _created({"username": username, "email": email}), complex_id)
            membership = None
            if org is not None:
                membership = Membership.objects.create(user=user, organisation=org, role=role)
                _record(
                    membership,
                    "create",
                    _created({"user_id": user.pk, "organisation_id": org.pk, "role": role}),
                    complex_id,
                )
    except IntegrityError:
        raise BadInput(
            f"username: 사용자 '{username}'이(가) 이미 있습니다 (역할 변경: `techvalley user role`). "
            f"/ user '{username}' exists already (change a role with `techvalley user role`).",
            field="username",
            code="conflict",
            status=409,
        ) from None
    return NewUser(user, membership, generated)


def set_password(user, password: str | None) -> str:
    """A new password for a user (checked like any other); without one a password is generated
    and returned (show it once). The audit trail records that it changed, never the password."""
    generated = ""
    if not password:
        password = generated = generate_password()
    check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _record(user, "update", {"password": ["****", "**** (새 값 / new)"]}, _user_complex_id(user))
    return generated


def update_user(user, *, email: str | None = None, active: bool | None = None):
    """Change a user's e-mail, or switch the account off (``active=False``: they can no longer
    sign in, and their API tokens stop working) or on again."""
    changes: dict[str, list] = {}
    if email is not None:
        email = clean_text(email, "email", max_length=254).strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise BadInput(
                    f"email: 올바른 이메일 주소가 아닙니다. / '{email}' is not an e-mail address.", field="email"
                ) from None
        changes["email"] = [user.email, email]
        user.email = email
    if active is not None:
        changes["is_active"] = [user.is_active, bool(active)]
        user.is_active = bool(active)
    with transaction.atomic():
        user.save(update_fields=[{"email": "email", "is_active": "is_active"}[k] for k in changes])
        _record(user, "update", changes, _user_complex_id(user))
    return user


def make_superuser(username: str, password: str, email: str = ""):
    """A superuser for the Django admin (new, or an existing user promoted with a new password)."""
    User = get_user_model()
    username = clean_text(username, "username", max_length=150, required=True).strip()
    if not USERNAME_RE.match(username):
        raise BadInput(
            "username: 영문·숫자와 @ . + - _ 만 쓸 수 있습니다. / letters, digits and @ . + - _ only.",
            field="username",
        )
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, email=clean_text(email, "email", max_length=254).strip())
        check_password(password, user)
        before = [user.is_staff, user.is_superuser]
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        if created:
            _record(user, "create", _created({"username": username, "email": user.email, "is_superuser": True}), None)
        else:
            _record(
                user,
                "update",
                {"is_superuser": [before[1], True], "password": ["****", "**** (새 값 / new)"]},
                _user_complex_id(user),
            )
    return user


def set_role(user, org: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation (a new membership, or a changed role)."""
    check_role(role)
    _check_role_fits(org, role)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, organisation=org).first()
        if membership is None:
            membership = Membership.objects.create(user=user, organisation=org, role=role)
            _record(
                membership,
                "create",
                _created({"user_id": user.pk, "organisation_id": org.pk, "role": role}),
                org.complex_id,
            )
        elif membership.role != role:
            old = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            _record(membership, "update", {"role": [old, role]}, org.complex_id)
    return membership


def remove_role(user, org: Organisation) -> bool:
    """End a user's membership of an organisation; False when there was none."""
    with transaction.atomic():
        membership = Membership.objects.filter(user=user, organisation=org).first()
        if membership is None:
            return False
        changes = {"user_id": [user.pk, None], "organisation_id": [org.pk, None], "role": [membership.role, None]}
        _record(membership, "delete", changes, org.complex_id)
        membership.delete()
    return True


# --- API tokens ----------------------------------------------------------------------------


def _user_complex_id(user) -> int | None:
    return Membership.objects.filter(user=user).values_list("organisation__complex_id", flat=True).first()


def create_token(user, name: str) -> ApiToken:
    """A bearer token for a machine client, acting as ``user``. The key is shown to the caller once."""
    name = clean_text(name, "name", max_length=100, required=True).strip()
    if not user.is_active:
        raise BadInput(f"username: '{user}' 계정이 비활성입니다. / the account is inactive.", field="username")
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name)
        # The key is a secret: the audit trail records that a token was made, never its key.
        _record(token, "create", _created({"user_id": user.pk, "name": name}), _user_complex_id(user))
    return token


def revoke_token(token_id: Any, user=None) -> ApiToken:
    """Delete a token (its clients stop working at once). ``user``: only that user's token."""
    pk = int_param(token_id, "token", lo=1)
    qs = ApiToken.objects.select_related("user")
    if user is not None:
        qs = qs.filter(user=user)
    with transaction.atomic():
        token = qs.filter(pk=pk).first()
        if token is None:
            raise BadInput(f"token: 토큰 {pk}이(가) 없습니다. / no token {pk}.", field="token", status=404)
        _record(
            token,
            "delete",
            {"user_id": [token.user_id, None], "name": [token.name, None]},
            _user_complex_id(token.user),
        )
        token.delete()
        token.pk = pk
    return token
