from django.apps import AppConfig

from rezerva.core.events import register_recorder


class NotifyConfig(AppConfig):
    name = "rezerva.notify"
    label = "notify"

    def ready(self):
        """Become the recorder of every domain event (core.events.notify calls it)."""
        # Imported here: the recorder needs models, which are loaded only once apps are ready.
        from rezerva.notify.delivery import record_and_queue

        register_recorder(record_and_queue)
