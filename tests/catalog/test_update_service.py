"""catalog.services.update_service and deactivate_service, including P2 after a downgrade."""

import pytest

from rezerva.catalog import services
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling.models import Session
from rezerva.tenancy.models import ActivityLog
from rezerva.tenancy.plans import PlanCode
from tests import builders


@pytest.fixture
def group_service(business, now):
    return builders.make_group_service(business, name="Pottery class", now=now)


def _update(service, **overrides):
    fields = {
        "service": service,
        "actor": builders.owner_of(service.business),
        "name": service.name,
        "description": service.description,
        "price_type": service.price_type,
        "price_minor": service.price_minor,
        "sales_mode": service.sales_mode,
        "is_active": service.is_active,
        "is_visible": service.is_visible,
    }
    return services.update_service(**{**fields, **overrides})


@pytest.mark.parametrize("plan", [PlanCode.STARTER, PlanCode.FREE])
def test_p2_an_existing_group_service_can_still_be_edited_after_a_downgrade(
    business, group_service, now, plan
):
    builders.make_session(group_service, now=now)
    business.plan = plan
    business.save(update_fields=["plan"])

    _update(
        group_service,
        name="Pottery for adults",
        price_type=PriceType.ONLINE,
        price_minor=7000,
        sales_mode=SalesMode.SINGLE,
        is_visible=False,
    )

    group_service.refresh_from_db()
    assert (group_service.kind, group_service.name) == (Service.Kind.GROUP, "Pottery for adults")
    assert (group_service.price_type, group_service.price_minor) == (PriceType.ONLINE, 7000)
    assert (group_service.sales_mode, group_service.is_active, group_service.is_visible) == (
        SalesMode.SINGLE,
        True,
        False,
    )
    assert Session.objects.filter(service=group_service).count() == 1
    assert ActivityLog.objects.filter(
        action="service.updated", target=str(group_service.pk)
    ).exists()


def test_a_one_to_one_service_always_keeps_the_single_sales_mode(business, now):
    service = services.create_service(
        business=business,
        actor=builders.owner_of(business),
        kind=Service.Kind.ONE_TO_ONE,
        name="Consultation",
        price_type=PriceType.FREE,
        now=now,
    )

    _update(service, sales_mode=SalesMode.SERIES)

    service.refresh_from_db()
    assert service.sales_mode == SalesMode.SINGLE


def test_an_invalid_edit_is_a_field_error_and_the_service_is_unchanged(group_service):
    before = Service.objects.filter(pk=group_service.pk).values().get()

    with pytest.raises(ValidationFailed) as caught:
        _update(group_service, name=" ", price_minor=0)

    assert caught.value.errors == {
        "name": "Enter a name guests will recognise.",
        "price": "A paid service needs a price above zero (or choose Free).",
    }
    assert Service.objects.filter(pk=group_service.pk).values().get() == before


def test_deactivating_a_service_stops_selling_and_keeps_its_runs(group_service, now):
    run = builders.make_session(group_service, now=now)

    services.deactivate_service(
        service=group_service, actor=builders.owner_of(group_service.business)
    )

    group_service.refresh_from_db()
    assert group_service.is_active is False
    assert list(Session.objects.filter(service=group_service).values_list("pk", flat=True)) == [
        run.pk
    ]
