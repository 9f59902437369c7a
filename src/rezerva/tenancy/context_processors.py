"""Expose the business the owner is working in to every template."""


def current_business(request) -> dict:
    """`business` and `membership` as resolved by the dashboard for this request."""
    return {
        "current_business": getattr(request, "business", None),
        "current_membership": getattr(request, "membership", None),
    }
