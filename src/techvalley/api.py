"""The JSON API (OpenAPI at /api/docs and /api/openapi.json).

Machine clients send ``Authorization: Bearer <token>`` (tokens from ``techvalley token``);
browsers use their session (and the CSRF token for writes). Anonymous callers see public data.
Every endpoint reads through the same selectors as the pages, so scoping is identical.

Errors have one shape, ``{"code", "message", "field", "detail"}`` (see ``ErrorOut``), with the
status that says what happened: 400 bad input, 401 no or bad token, 403 not allowed, 404 not
found (or not visible to the caller), 409 conflict, 413 too large, 422 a field failed validation.
Each app's router is registered with the spine; none is named here.
"""

import datetime as dt
import json

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from techvalley.core import spine
from techvalley.core.audit import _actor
from techvalley.core.models import ApiToken
from techvalley.core.validation import BadInput, has_control_chars

#: How precisely a token's "last used" is kept (a busy client would otherwise write on every call).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: How deep a JSON body may nest (a registry row is 2 levels; 10,000 levels crash the parser).
MAX_JSON_DEPTH = 32


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(key=token, user__is_active=True).first()
        if found is None:
            raise AuthenticationError()
        now = timezone.now()
        if found.last_used is None or now - found.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)  # not a write per request
        request.user = found.user
        # Changes made with a token are the token's user's (the request middleware resets this).
        _actor.set((found.user, found.user.get_username()))
        return found.user


class SessionOrAnonymous:
    """The signed-in browser user, or the anonymous public (who see public data only)."""

    openapi_type = None

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # a bearer token was sent: it must be valid
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                from ninja.utils import check_csrf

                if check_csrf(request) is not None:
                    return None
            return user
        return AnonymousUser()


def _reject_constant(name: str):
    raise BadInput(
        f"JSON에 {name} 값은 쓸 수 없습니다 (유한한 숫자만). / {name} is not allowed: numbers must be finite."
    )


def _check_tree(value, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise BadInput(f"JSON이 너무 깊게 중첩되어 있습니다 (최대 {MAX_JSON_DEPTH}단계). / JSON nested too deeply.")
    if isinstance(value, str):
        if has_control_chars(value):
            raise BadInput("문자열에 NUL 등 제어 문자가 있습니다. / a string contains control characters (NUL …).")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_tree(k, depth + 1)
            _check_tree(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_tree(v, depth + 1)


class StrictJsonParser(Parser):
    """JSON bodies without NaN/Infinity, NUL bytes or runaway nesting — refused with a clear 400."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body, parse_constant=_reject_constant)
        except RecursionError:
            raise BadInput("JSON이 너무 깊게 중첩되어 있습니다. / JSON nested too deeply.") from None
        except UnicodeDecodeError:
            raise BadInput("본문이 UTF-8이 아닙니다. / the body is not UTF-8.") from None
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"JSON을 읽을 수 없습니다 ({exc.lineno}행 {exc.colno}열). / invalid JSON at line {exc.lineno}, "
                f"column {exc.colno}."
            ) from None
        _check_tree(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if has_control_chars(key) or any(has_control_chars(v) for v in values):
                raise BadInput(
                    f"{key}: 허용되지 않는 제어 문자(NUL 등)가 있습니다. / contains control characters.", field=key
                )
        return super().parse_querydict(data, list_fields, request)


class JsonRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class PlatformAPI(NinjaAPI):
    """The API with the platform's error shape documented on every operation."""

    ERROR_STATUSES = {
        "400": "Bad input (잘못된 입력)",
        "401": "No or invalid token (인증 필요)",
        "403": "Not allowed for this account (권한 없음)",
        "404": "Not found, or not visible to this account (없음)",
        "409": "Conflicts with the current state (충돌)",
        "413": "Too large (용량 초과)",
        "422": "A field failed validation (검증 실패)",
        "429": "Too many attempts (시도 초과)",
    }

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "title": "Error",
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "bad_input, unauthorized, forbidden, not_found, conflict, too_large, validation",
                },
                "message": {"type": "string", "description": "Korean, then English"},
                "field": {"type": ["string", "null"]},
                "detail": {"description": "validation errors, one per field (422)"},
            },
        }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for op in operations.values():
                # One key per status: django-ninja writes the operation's own codes as ints.
                responses = {str(k): v for k, v in op.get("responses", {}).items()}
                for status, description in self.ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
                op["responses"] = responses
        return schema


api = PlatformAPI(
    title="Techno Valley platform API",
    version="1",
    description="신평·장림 낙동강 테크노밸리 플랫폼 API. Errors: {code, message, field, detail}.",
    auth=[BearerToken(), SessionOrAnonymous()],
    urls_namespace="api",
    parser=StrictJsonParser(),
    renderer=JsonRenderer(),
)


def error(request, status: int, code: str, message: str, field=None, detail=None):
    return api.create_response(
        request, {"code": code, "message": message, "field": field, "detail": detail}, status=status
    )


@api.exception_handler(BadInput)
def _bad_input(request, exc: BadInput):
    return error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
    message = f"입력값이 올바르지 않습니다: {field or '본문'} — {first.get('msg', '')}. / invalid input."
    return error(request, 422, "validation", message, field, json.loads(json.dumps(exc.errors, default=str)))


_STATUS_CODES = {
    400: "bad_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, BadInput):  # ninja wraps the body parser's errors
        return _bad_input(request, cause)
    message = str(exc)
    if isinstance(exc, AuthenticationError):
        message = "인증이 필요합니다: 올바른 토큰을 보내세요. / authentication required: send a valid token."
    return error(request, exc.status_code, _STATUS_CODES.get(exc.status_code, "error"), message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1e6
    return error(
        request,
        413,
        "too_large",
        f"요청 본문이 너무 큽니다 (최대 {limit:,.0f} MB). 나누어 보내세요. / the body "
        f"is too large (at most {limit:,.0f} MB); send it in parts.",
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "찾을 수 없습니다. / not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "권한이 없습니다. / not allowed.")


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    # A unique constraint lost a race, or the write conflicts with what is stored.
    return error(
        request,
        409,
        "conflict",
        "이미 있는 기록과 충돌합니다. 새로고침 후 다시 시도하세요. / conflicts with "
        "an existing record; reload and try again.",
    )


for _prefix, _router in spine.platform.routers():
    api.add_router(_prefix, _router)
