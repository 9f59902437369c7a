"""Owner-managed consents and terms shown in the details step (B2)."""

from django.db import transaction

from rezerva.booking.models import ConsentDefinition
from rezerva.core.errors import ValidationFailed
from rezerva.tenancy.models import Business
from rezerva.tenancy.services import log_activity

MAX_TEXT = 2000


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": "Enter the text guests agree to."})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"text": f"Use at most {MAX_TEXT} characters."})
    return text


def add_consent(
    *, business: Business, actor, text: str, kind: str, is_required: bool
) -> ConsentDefinition:
    """Add a consent or terms checkbox to the booking form."""
    if kind not in ConsentDefinition.Kind.values:
        raise ValidationFailed({"kind": "Choose terms or consent."})
    with transaction.atomic():
        consent = ConsentDefinition.objects.create(
            business=business,
            text=_clean_text(text),
            kind=kind,
            is_required=is_required,
            position=ConsentDefinition.objects.filter(business=business).count(),
        )
        log_activity(business=business, actor=actor, action="consent.added", target=consent.pk)
    return consent


def change_consent_text(*, consent: ConsentDefinition, actor, text: str) -> ConsentDefinition:
    """New wording gets a new version; records keep the exact text each guest agreed to."""
    text = _clean_text(text)
    if text == consent.text:
        return consent
    with transaction.atomic():
        consent.text = text
        consent.version += 1
        consent.save(update_fields=["text", "version", "updated_at"])
        log_activity(
            business=consent.business,
            actor=actor,
            action="consent.changed",
            target=consent.pk,
            version=consent.version,
        )
    return consent


def deactivate_consent(*, consent: ConsentDefinition, actor) -> ConsentDefinition:
    """Stop asking for a consent (past records stay)."""
    with transaction.atomic():
        consent.is_active = False
        consent.save(update_fields=["is_active", "updated_at"])
        log_activity(
            business=consent.business, actor=actor, action="consent.deactivated", target=consent.pk
        )
    return consent
