from django.urls import path

from rezerva.dashboard import (
    appointment_list_views,
    appointment_views,
    availability_views,
    calendar_views,
    coupon_views,
    payment_views,
    series_views,
    service_views,
    session_views,
    settings_views,
    token_views,
    views,
)

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("business/new/", views.business_create, name="business_create"),
    path("business/switch/", views.business_switch, name="business_switch"),
    path("settings/", settings_views.business_settings, name="settings"),
    path("settings/api-tokens/", token_views.api_token_create, name="api_token_create"),
    path(
        "settings/api-tokens/<int:token_id>/revoke/",
        token_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("team/", views.team, name="team"),
    path("services/", service_views.service_list, name="service_list"),
    path("services/new/", service_views.service_create, name="service_create"),
    path("services/<int:service_id>/", service_views.service_detail, name="service_detail"),
    path(
        "services/<int:service_id>/deactivate/",
        service_views.service_deactivate,
        name="service_deactivate",
    ),
    path("services/<int:service_id>/sessions/", session_views.session_list, name="session_list"),
    path("services/<int:service_id>/series/", series_views.series_list, name="series_list"),
    path("sessions/<int:session_id>/", session_views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/cancel/", session_views.session_cancel, name="session_cancel"),
    path(
        "sessions/<int:session_id>/participants/bulk/",
        session_views.session_participants_bulk,
        name="session_participants_bulk",
    ),
    path(
        "sessions/<int:session_id>/participants.csv",
        session_views.session_participants_export,
        {"fmt": "csv"},
        name="session_participants_csv",
    ),
    path(
        "sessions/<int:session_id>/participants.xlsx",
        session_views.session_participants_export,
        {"fmt": "xlsx"},
        name="session_participants_xlsx",
    ),
    path("series/<int:series_id>/", series_views.series_detail, name="series_detail"),
    path("series/<int:series_id>/edit/", series_views.series_edit, name="series_edit"),
    path(
        "series/<int:series_id>/buyers.csv",
        series_views.series_buyers_export,
        {"fmt": "csv"},
        name="series_buyers_csv",
    ),
    path(
        "series/<int:series_id>/buyers.xlsx",
        series_views.series_buyers_export,
        {"fmt": "xlsx"},
        name="series_buyers_xlsx",
    ),
    path(
        "series/<int:series_id>/sessions/<int:session_id>/detach/",
        series_views.series_detach,
        name="series_detach",
    ),
    path("bookings/<int:booking_id>/cancel/", session_views.booking_cancel, name="booking_cancel"),
    path(
        "purchases/<int:purchase_id>/cancel/", series_views.purchase_cancel, name="purchase_cancel"
    ),
    path("payments/<int:payment_id>/", payment_views.payment_detail, name="payment_detail"),
    path(
        "payments/<int:payment_id>/problem/resolve/",
        payment_views.payment_problem_resolve,
        name="payment_problem_resolve",
    ),
    path("coupons/", coupon_views.coupon_list, name="coupon_list"),
    path("coupons/<int:coupon_id>/", coupon_views.coupon_edit, name="coupon_edit"),
    path("availability/", availability_views.availability, name="availability"),
    path(
        "availability/team/<int:performer_id>/",
        availability_views.performer_availability,
        name="performer_availability",
    ),
    path(
        "availability/dates/<str:day>/clear/",
        availability_views.override_clear,
        name="override_clear",
    ),
    path(
        "availability/team/<int:performer_id>/dates/<str:day>/clear/",
        availability_views.override_clear,
        name="performer_override_clear",
    ),
    path(
        "availability/time-off/<int:time_off_id>/delete/",
        availability_views.time_off_delete,
        name="time_off_delete",
    ),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/block/", calendar_views.block_time, name="block_time"),
    path("appointments/", appointment_list_views.appointment_list, name="appointment_list"),
    path(
        "appointments/export.<str:fmt>",
        appointment_list_views.appointment_list_export,
        name="appointment_list_export",
    ),
    path(
        "appointments/bulk/",
        appointment_list_views.appointment_list_bulk,
        name="appointment_list_bulk",
    ),
    path("appointments/new/", appointment_views.appointment_book, name="appointment_book"),
    path(
        "appointments/<int:booking_id>/",
        appointment_views.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/<int:booking_id>/cancel/",
        appointment_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("consents/", settings_views.consents, name="consents"),
    path(
        "consents/<int:consent_id>/deactivate/",
        settings_views.consent_deactivate,
        name="consent_deactivate",
    ),
]
