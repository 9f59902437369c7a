"""Which business an owner is working in, resolved once per request."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from rezerva.tenancy.models import Membership
from rezerva.tenancy.selectors import get_membership

SESSION_KEY = "business_id"


def business_view(view=None, *, owner_only: bool = False):
    """Require login and a membership; set request.business and request.membership."""

    def decorate(func):
        @login_required
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            membership = get_membership(request.user, business_id=request.session.get(SESSION_KEY))
            if membership is None:
                return redirect("dashboard:business_create")
            if owner_only and membership.role != Membership.Role.OWNER:
                raise PermissionDenied("Only owners can do this.")
            request.session[SESSION_KEY] = membership.business_id
            request.business = membership.business
            request.membership = membership
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
