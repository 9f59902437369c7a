"""Notification errors with stable codes (also the problem+json `type` in the API)."""

from rezerva.core.errors import DomainError


class MessageLimitReached(DomainError):
    """This business has reached its daily limit of messages to guests."""

    code = "message_limit_reached"

    def __init__(self, *, cap: int, left: int, setting: str = "OWNER_MESSAGES_PER_DAY"):
        who = "guests you added yourself" if setting != "OWNER_MESSAGES_PER_DAY" else "guests"
        super().__init__(
            f"A business can message at most {cap} {who} in 24 hours ({setting}); "
            f"{left} more can be messaged now. Select fewer guests or try again later."
        )
        self.cap = cap
        self.left = left
