"""API shapes for one-to-one appointments and availability. Times are ISO 8601 with offset."""

import datetime as dt

from ninja import Field, Schema

from rezerva.api.schemas import ID_MAX, Name, Text


class PerformerOut(Schema):
    id: int
    name: str


class SlotOut(Schema):
    starts_at: dt.datetime = Field(description="In the business timezone, with its offset")
    ends_at: dt.datetime
    performer_ids: list[int] = Field(description="Who is free then (the 'any' choice picks one)")


class SlotsOut(Schema):
    timezone: str
    start: dt.date
    end: dt.date
    dates: list[dt.date] = Field(description="Local days with at least one free time")
    slots: list[SlotOut]


class AppointmentIn(Schema):
    service_id: int = Field(..., ge=1, le=ID_MAX)
    performer_id: int | None = Field(None, ge=1, le=ID_MAX, description="None: any available")
    starts_at: dt.datetime = Field(
        ..., description="One of the listed starts; naive means business local time"
    )
    name: Text = Field(..., max_length=120)
    email: Text = Field(..., max_length=254)
    phone: Text = Field("", max_length=32)
    consent_ids: list[int] = Field(default_factory=list, max_length=50)
    coupon_code: Text | None = Field(None, max_length=32)


class RescheduleIn(Schema):
    starts_at: dt.datetime = Field(..., description="A listed start of the same service")


class WeekdayHoursIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    starts: dt.time
    ends: dt.time


class WeeklyHoursIn(Schema):
    intervals: list[WeekdayHoursIn] = Field(default_factory=list, max_length=70)


class DateOverrideIn(Schema):
    date: dt.date
    intervals: list[WeekdayHoursIn] = Field(
        default_factory=list, max_length=10, description="Weekday ignored; empty: closed"
    )


class TimeOffIn(Schema):
    performer_id: int | None = Field(None, ge=1, le=ID_MAX, description="None: close everyone")
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: Name = Field("", max_length=200)


class TimeOffOut(Schema):
    id: int
    performer_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


class OwnerAppointmentIn(AppointmentIn):
    performer_id: int = Field(..., ge=1, le=ID_MAX)


class AppointmentSettingsIn(Schema):
    duration_minutes: int = 60
    slot_interval_minutes: int | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    min_notice_minutes: int = 120
    horizon_days: int = 60
    daily_cap: int | None = None
    performer_ids: list[int] = Field(default_factory=list, max_length=200)


class WeeklyHoursOut(Schema):
    performer_id: int | None = Field(description="None: the business default week")
    follows_default: bool = Field(description="A performer without weekly hours of her own")
    intervals: list[WeekdayHoursIn]


class OwnerPerformerOut(Schema):
    id: int
    name: str
    is_active: bool


class AppointmentOut(Schema):
    id: int
    service_id: int
    performer_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    guest_name: str
    guest_email: str
    guest_phone: str
    price: int
    price_type: str
