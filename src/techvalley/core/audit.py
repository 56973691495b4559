"""The audit trail: every create, update and delete of an audited model is recorded once, here.

Models opt in with ``@audited``. The acting user comes from a context variable set by the
request middleware, the API's auth and the CLI (``acting_as``), so services need not pass it.
Bulk writes (imports) bypass model signals and record their entries with ``record_bulk``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
from collections.abc import Iterable, Iterator

from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

_actor: contextvars.ContextVar = contextvars.ContextVar("techvalley_actor", default=None)
_AUDITED: dict[type, tuple[str, ...]] = {}
SKIPPED_FIELDS = {"updated_at", "search_text", "name_key"}


@contextlib.contextmanager
def acting_as(user=None, label: str | None = None) -> Iterator[None]:
    """Attribute the changes made inside the block to ``user`` (or a label such as "cli")."""
    token = _actor.set((user, label or (user.get_username() if user is not None else "system")))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[object | None, str]:
    value = _actor.get()
    return value if value else (None, "system")


def jsonable(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time, decimal.Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    return {f: jsonable(getattr(instance, f)) for f in fields}


def audited(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: record every change of this model in the audit trail."""
    fields = tuple(f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in SKIPPED_FIELDS)
    _AUDITED[model] = fields
    pre_save.connect(_before_save, sender=model, weak=False)
    post_save.connect(_after_save, sender=model, weak=False)
    post_delete.connect(_after_delete, sender=model, weak=False)
    return model


def _complex_id(instance) -> int | None:
    return getattr(instance, "complex_id", None)


def entry(instance, action: str, changes: dict, reason: str = ""):
    from techvalley.core.models import AuditEntry

    user, label = current_actor()
    return AuditEntry(
        actor=user if getattr(user, "pk", None) else None,
        actor_label=label[:150],
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
        complex_id=_complex_id(instance),
        reason=reason[:300],
    )


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_old = None
        return
    old = sender._default_manager.filter(pk=instance.pk).values(*_AUDITED[sender]).first()
    instance._audit_old = {k: jsonable(v) for k, v in old.items()} if old else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    new = snapshot(instance, _AUDITED[sender])
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        entry(instance, "create", {k: [None, v] for k, v in new.items() if v not in (None, "", [], {})}).save()
        return
    fields = {f.attname: f for f in sender._meta.concrete_fields}
    changes = {k: [old[k], v] for k, v in new.items() if not _same(fields.get(k), old.get(k), v)}
    if changes:
        entry(instance, "update", changes, getattr(instance, "_audit_reason", "")).save()


def _same(field, old, new) -> bool:
    """Equal as the field stores them: a form's Decimal("40") is no change from a stored 40.0."""
    if old == new:
        return True
    if field is None or old is None or new is None:
        return False
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        try:
            return decimal.Decimal(str(old)) == decimal.Decimal(str(new))
        except (decimal.InvalidOperation, ValueError):
            return False
    try:
        return field.to_python(old) == field.to_python(new)
    except Exception:  # a value the field cannot read is a change worth recording
        return False


def _withholds_values(instance) -> bool:
    """A record may ask that its values never enter the trail (an anonymous survey answer): its
    model defines ``audit_withholds_values(self) -> bool``; the entry then says what happened, not
    what the record held."""
    check = getattr(instance, "audit_withholds_values", None)
    return bool(check()) if callable(check) else False


def _after_delete(sender, instance, **kwargs):
    if _withholds_values(instance):
        entry(instance, "delete", {}).save()
        return
    old = snapshot(instance, _AUDITED[sender])
    entry(instance, "delete", {k: [v, None] for k, v in old.items() if v not in (None, "", [], {})}).save()


def record_bulk(entries: list) -> None:
    """Write entries made with ``entry(...)`` for bulk changes, in one statement per batch."""
    from techvalley.core.models import AuditEntry

    AuditEntry.objects.bulk_create(entries, batch_size=2000)
