"""Reads for runs and series, scoped by business, with `now` passed in."""

import datetime as dt

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from rezerva.catalog.models import Service
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import Business


def runs_of_service(*, business: Business, service: Service) -> QuerySet[Session]:
    """Every run of a group service, with the data the lists show, oldest first (the private
    runs that hold one-to-one appointments are listed as appointments, not runs)."""
    return (
        Session.objects.filter(business=business, service=service, service__kind=Service.Kind.GROUP)
        .select_related("series", "performer")
        .order_by("starts_at", "id")
    )


def upcoming_runs(*, business: Business, service: Service, now: dt.datetime) -> QuerySet[Session]:
    """Runs that have not started yet (cancelled included, marked), soonest first."""
    return runs_of_service(business=business, service=service).filter(starts_at__gt=now)


def past_runs(*, business: Business, service: Service, now: dt.datetime) -> QuerySet[Session]:
    """Runs that have started, most recent first."""
    return (
        runs_of_service(business=business, service=service)
        .filter(starts_at__lte=now)
        .order_by("-starts_at", "-id")
    )


def attachable_runs(*, series: Series, now: dt.datetime) -> QuerySet[Session]:
    """Upcoming, non-cancelled runs of the series' service that belong to no series (S2)."""
    return runs_of_service(business=series.business, service=series.service).filter(
        starts_at__gt=now, cancelled_at__isnull=True, series__isnull=True
    )


def get_session_for_business(*, business: Business, session_id: int) -> Session:
    """One of the business's runs, or 404."""
    return get_object_or_404(
        Session.objects.select_related("service", "series", "performer"),
        business=business,
        pk=session_id,
    )


def get_series_for_business(*, business: Business, series_id: int) -> Series:
    """One of the business's series, or 404."""
    return get_object_or_404(
        Series.objects.select_related("service"), business=business, pk=series_id
    )


def series_of_service(*, business: Business, service: Service) -> QuerySet[Series]:
    """A service's series with run counts and first start, for lists."""
    return (
        Series.objects.filter(business=business, service=service)
        .select_related("service")
        .annotate(
            run_count=Count("sessions", filter=Q(sessions__cancelled_at__isnull=True)),
            first_starts_at=Min(
                "sessions__starts_at", filter=Q(sessions__cancelled_at__isnull=True)
            ),
        )
        .order_by("first_starts_at", "id")
    )


def runs_of_series(*, series: Series) -> QuerySet[Session]:
    """A series' runs in order, cancelled ones included."""
    return (
        Session.objects.filter(business=series.business, series=series)
        .select_related("performer")
        .order_by("starts_at", "id")
    )


def services_with_series(*, business: Business, services: QuerySet[Service]) -> QuerySet[Service]:
    """Services with their series prefetched, for price labels without N+1."""
    return services.prefetch_related(
        Prefetch("series", queryset=Series.objects.filter(business=business).order_by("id"))
    )


def next_runs(*, business: Business, now: dt.datetime, limit: int = 10) -> QuerySet[Session]:
    """The business's next non-cancelled group runs across services, for the dashboard
    (appointments have the calendar)."""
    return (
        Session.objects.filter(
            business=business,
            starts_at__gt=now,
            cancelled_at__isnull=True,
            service__kind=Service.Kind.GROUP,
        )
        .select_related("service", "series")
        .order_by("starts_at", "id")[:limit]
    )
