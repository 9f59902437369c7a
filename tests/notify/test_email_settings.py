"""EMAIL_URL: the one variable that configures outgoing email."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rezerva.settings import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("_case", "url", "expected"),
    [
        (
            "plain smtp",
            "smtp://mailer:s3cr%40t@mail.example.com:2525",
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "mailer",
                "EMAIL_HOST_PASSWORD": "s3cr@t",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "starttls, default port",
            "smtp+tls://u:p@smtp.example.com",
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": "smtp.example.com",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "u",
                "EMAIL_HOST_PASSWORD": "p",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "console",
            "console://",
            {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
        ),
        (
            "files",
            "file:///srv/rezerva/mail",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/srv/rezerva/mail",
            },
        ),
    ],
)
def test_email_url_is_parsed_into_django_settings(_case, url, expected):
    assert email_settings(url) == expected


@pytest.mark.parametrize("url", ["smtp://", "file://", "sendmail://localhost"])
def test_a_malformed_email_url_is_a_configuration_error(url):
    with pytest.raises(ImproperlyConfigured):
        email_settings(url)
