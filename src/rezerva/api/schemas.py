"""API shapes (pydantic via django-ninja). Times are ISO 8601 with offset; money in minor units."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from rezerva.core.text import NUL, NUL_REASON, unsafe_text_reason

# Ids are BigAutoField values: anything outside 1..2**63-1 cannot exist, and SQLite cannot even
# bind a larger integer (it raised OverflowError, a 500, when the fuzzer sent one).
ID_MAX = 2**63 - 1


def _refuse_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: without this the insert failed with a 500 (review F8).
    if NUL in value:
        raise PydanticCustomError("nul_character", NUL_REASON)
    return value


def _refuse_unsafe_name(value: str) -> str:
    if reason := unsafe_text_reason(value):
        raise PydanticCustomError("unsafe_text", reason)
    return value


def _refuse_unsafe_multiline(value: str) -> str:
    if reason := unsafe_text_reason(value, multiline=True):
        raise PydanticCustomError("unsafe_text", reason)
    return value


# Every string field of a request body is one of these, so a NUL is a 422 problem+json.
# Text: any string without NUL. Name: a one-line name an owner types (no newline, control or
# text-direction characters; core.text). MultilineText: free text where newlines are fine.
Text = Annotated[str, AfterValidator(_refuse_nul)]
Name = Annotated[str, AfterValidator(_refuse_unsafe_name)]
MultilineText = Annotated[str, AfterValidator(_refuse_unsafe_multiline)]


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    errors: dict[str, str] | None = None
    session_ids: list[int] | None = None


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    sales_mode: str
    price_type: str
    price: int = Field(description="Minor units of `currency`")
    currency: str
    price_label: str


class RunOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    title: str
    mode: str
    capacity: int
    seats_left: int
    full: bool
    kind: str = Field(description="single or drop_in: the path this run is booked by")
    price: int
    price_type: str
    currency: str
    part_of_series: bool
    series_id: int | None


class SeriesRunOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    seats_left: int


class SeriesOut(Schema):
    id: int
    title: str
    price: int
    price_type: str
    currency: str
    seats_left: int
    sold_out: bool
    runs: list[SeriesRunOut]


class BookingIn(Schema):
    session_id: int | None = Field(
        None, ge=1, le=ID_MAX, description="Book one run (single or drop-in)"
    )
    series_id: int | None = Field(None, ge=1, le=ID_MAX, description="Buy a whole series")
    name: Text = Field(..., max_length=120)
    email: Text = Field(..., max_length=254)
    phone: Text = Field("", max_length=32)
    consent_ids: list[int] = Field(default_factory=list, max_length=50)
    coupon_code: Text | None = Field(None, max_length=32, description="Optional coupon (P4)")


class SeatOut(Schema):
    booking_id: int
    session_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    session_cancelled: bool


class BookingOut(Schema):
    id: int
    kind: str = Field(description="single, drop_in or series")
    status: str
    price: int = Field(description="What the guest pays, in minor units, after any coupon")
    discount: int = Field(0, description="Taken off by a coupon, in minor units")
    price_type: str
    currency: str
    hold_expires_at: dt.datetime | None
    manage_url: str
    checkout_url: str | None = None
    seats: list[SeatOut]


class ServiceIn(Schema):
    kind: Text = "group"
    name: Name = Field(..., max_length=120)
    description: MultilineText = Field("", max_length=4000)
    price_type: Text = "free"
    price: int = Field(0, ge=0)
    sales_mode: Text = "single"


class RunIn(Schema):
    starts_at: dt.datetime = Field(..., description="With offset, or naive = business local time")
    ends_at: dt.datetime
    capacity: int = Field(..., ge=1, le=1_000_000)
    mode: Text = "in_person"
    title: Name = Field("", max_length=120)
    meeting_url: Text = Field("", max_length=500)
    address: Text = Field("", max_length=300)
    series_id: int | None = Field(
        None,
        ge=1,
        le=ID_MAX,
        description="Create the run in this series of the service; required when the service "
        "is sold as series only",
    )


class OwnerRunOut(Schema):
    id: int
    service_id: int
    series_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    seats_taken: int
    mode: str
    title: str
    cancelled: bool
    warnings: list[str] = Field(default_factory=list)


class OwnerSeriesOut(Schema):
    id: int
    service_id: int
    title: str
    price: int
    price_type: str
    is_active: bool
    is_visible: bool
    drop_in_enabled: bool
    drop_in_price: int | None


class ParticipantOut(Schema):
    booking_id: int
    name: str
    email: str
    phone: str
    kind: str
    status: str
    purchase_id: int | None


class PurchaseOut(Schema):
    id: int
    series_id: int
    name: str
    email: str
    status: str
    price: int
    currency: str
    created_at: dt.datetime


class MoveIn(Schema):
    session_id: int = Field(
        ..., ge=1, le=ID_MAX, description="The run to move to (same service, same price)"
    )


class CancelIn(Schema):
    reason: Text = Field("", max_length=300)


class CancelOut(Schema):
    bookings_cancelled: int
