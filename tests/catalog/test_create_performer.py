"""catalog.services.create_performer: instructors belong to one business."""

import pytest

from rezerva.catalog import services
from rezerva.catalog.models import Performer
from rezerva.core.errors import ValidationFailed
from tests import builders


def test_an_instructor_is_added_to_the_business(business):
    performer = services.create_performer(
        business=business, actor=builders.owner_of(business), name=" Anna ", email="a@x.test"
    )

    assert list(Performer.objects.filter(business=business).values_list("name", "email")) == [
        ("Anna", "a@x.test")
    ]
    assert performer.is_active is True


@pytest.mark.parametrize(
    ("_case", "use_other_membership", "name", "errors"),
    [
        ("blank name", False, "  ", {"name": "Enter the instructor's name."}),
        (
            "member of another business",
            True,
            "Bob",
            {"membership": "Choose a member of this business."},
        ),
    ],
)
def test_an_invalid_instructor_is_refused_and_nothing_is_written(
    business, other_business, _case, use_other_membership, name, errors
):
    membership = other_business.memberships.first() if use_other_membership else None

    with pytest.raises(ValidationFailed) as caught:
        services.create_performer(
            business=business,
            actor=builders.owner_of(business),
            name=name,
            membership=membership,
        )

    assert caught.value.errors == errors
    assert Performer.objects.count() == 0
