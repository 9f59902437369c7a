from django.urls import path

from rezerva.hub import views

app_name = "hub"
urlpatterns = [
    path("<slug:slug>/", views.business_hub, name="business"),
    path("<slug:slug>/services/<int:service_id>/", views.service_page, name="service"),
    path("<slug:slug>/sessions/<int:session_id>/book/", views.book_run, name="book_run"),
    path("<slug:slug>/series/<int:series_id>/", views.series_page, name="series"),
    path("<slug:slug>/series/<int:series_id>/book/", views.book_series, name="book_series"),
    path("<slug:slug>/manage/<str:token>/", views.manage, name="manage"),
    path("<slug:slug>/manage/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("<slug:slug>/manage/<str:token>/pay/", views.manage_pay, name="manage_pay"),
]
