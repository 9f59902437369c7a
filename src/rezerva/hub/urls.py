from django.urls import path

from rezerva.core.ratelimit import rate_limited
from rezerva.hub import appointment_views, lost_link, views
from rezerva.notify import views as notify_views

# Per-client limits (core/ratelimit.py): placing bookings (POST only, the GET is the form) and the
# manage link, shared with the same endpoints of the public API.
booking_limit = rate_limited("booking", methods=["POST"])
manage_limit = rate_limited("manage")

app_name = "hub"
urlpatterns = [
    path("<slug:slug>/", views.business_hub, name="business"),
    path("<slug:slug>/services/<int:service_id>/", views.service_page, name="service"),
    path(
        "<slug:slug>/sessions/<int:session_id>/book/",
        booking_limit(views.book_run),
        name="book_run",
    ),
    path(
        "<slug:slug>/appointments/<int:service_id>/",
        appointment_views.appointment_page,
        name="appointment",
    ),
    path(
        "<slug:slug>/appointments/<int:service_id>/book/",
        booking_limit(appointment_views.book_appointment_page),
        name="book_appointment",
    ),
    path("<slug:slug>/series/<int:series_id>/", views.series_page, name="series"),
    path(
        "<slug:slug>/series/<int:series_id>/book/",
        booking_limit(views.book_series),
        name="book_series",
    ),
    # Before the manage link, whose token would otherwise swallow "lost".
    path("<slug:slug>/manage/lost/", lost_link.lost_link, name="lost_link"),
    path("<slug:slug>/manage/<str:token>/", manage_limit(views.manage), name="manage"),
    path(
        "<slug:slug>/manage/<str:token>/cancel/",
        manage_limit(views.manage_cancel),
        name="manage_cancel",
    ),
    path("<slug:slug>/manage/<str:token>/pay/", manage_limit(views.manage_pay), name="manage_pay"),
    path(
        "<slug:slug>/manage/<str:token>/move/", manage_limit(views.manage_move), name="manage_move"
    ),
    path(
        "<slug:slug>/manage/<str:token>/reschedule/",
        manage_limit(appointment_views.manage_reschedule),
        name="manage_reschedule",
    ),
    path(
        "<slug:slug>/manage/<str:token>/runs/<int:session_id>.ics",
        manage_limit(notify_views.run_calendar),
        name="manage_run_ics",
    ),
]
