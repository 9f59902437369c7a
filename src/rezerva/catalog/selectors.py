"""Reads for services and performers, always scoped by business."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from rezerva.catalog.models import Performer, Service
from rezerva.tenancy.models import Business


def services_of(*, business: Business) -> QuerySet[Service]:
    """All the business's services, active first."""
    return Service.objects.filter(business=business).order_by("-is_active", "name", "id")


def get_service_for_business(*, business: Business, service_id: int) -> Service:
    """One of the business's services, or 404 (another business's id is simply not found)."""
    return get_object_or_404(Service, business=business, pk=service_id)


def performers_of(*, business: Business, active_only: bool = True) -> QuerySet[Performer]:
    """The business's instructors."""
    qs = Performer.objects.filter(business=business)
    return qs.filter(is_active=True) if active_only else qs


def get_performer_for_business(*, business: Business, performer_id: int) -> Performer:
    """One of the business's performers, or 404."""
    return get_object_or_404(Performer, business=business, pk=performer_id)
