from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rezerva.core"
    label = "core"

    def ready(self) -> None:
        """Register the system checks for the abuse-limit settings."""
        from django.core import checks

        from rezerva.core.ratelimit import check_rate_settings

        checks.register(check_rate_settings)
