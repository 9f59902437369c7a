"""Owner sign-up, login (with the optional two-factor step), logout and password reset.

Django's auth views with our templates, behind the throttles of accounts.signin. Sign-up and
password reset answer the same for every address: the email (or none) is decided by a task.
"""

from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rezerva.accounts import signin
from rezerva.accounts.errors import TwoFactorCodeWrong
from rezerva.accounts.forms import (
    EmailAuthenticationForm,
    SignUpForm,
    SignUpPasswordForm,
    TwoFactorCodeForm,
)
from rezerva.accounts.services import (
    check_two_factor_code,
    disable_two_factor,
    enable_two_factor,
    has_two_factor,
    provisioning_uri,
    sign_up_owner,
    start_two_factor_setup,
    two_factor_device_of,
)
from rezerva.accounts.tasks import send_password_reset_task, send_sign_up_email_task
from rezerva.accounts.tokens import read_sign_up_token
from rezerva.core.errors import DomainError, ValidationFailed
from rezerva.core.forms import add_domain_error
from rezerva.core.ratelimit import client_address, too_many_requests_response
from rezerva.core.throttle import cooldown_passed, within_rate


def _email_request_refused(request):
    """Sign-up and reset emails: 10 requests an hour per client address, else a 429 page."""
    check = within_rate(
        f"email-request:{request.resolver_match.url_name}",
        client_address(request),
        signin.EMAIL_REQUESTS_PER_ADDRESS,
    )
    return None if check.allowed else too_many_requests_response(request, check.retry_after_seconds)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    """Step one: name and email. The same 'check your inbox' follows for every address: a new
    one gets the link to finish, one with an account a notice to its owner (by a task)."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _email_request_refused(request)
        if refused is not None:
            return refused
        email = signin.normalized_email(form.cleaned_data["email"])
        if cooldown_passed("sign-up-email", email, seconds=signin.EMAIL_COOLDOWN_SECONDS):
            send_sign_up_email_task.enqueue(email=email, first_name=form.cleaned_data["first_name"])
        return redirect("accounts:sign_up_sent")
    return render(request, "accounts/sign_up.html", {"form": form})


def sign_up_sent(request):
    return render(request, "accounts/sign_up_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up_confirm(request, token: str):
    """Step two, behind the emailed link: choose a password; the account is created, logged in,
    and on to creating the first business."""
    pending = read_sign_up_token(token)
    if pending is None:
        return render(request, "accounts/sign_up_confirm.html", {"valid_link": False}, status=400)
    form = SignUpPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_up_owner(
                email=pending.email,
                password=form.cleaned_data["password1"],
                first_name=pending.first_name,
            )
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("dashboard:business_create")
    return render(
        request,
        "accounts/sign_up_confirm.html",
        {"valid_link": True, "form": form, "email": pending.email},
    )


class LoginView(auth_views.LoginView):
    """Email and password; then, for accounts with two-factor login, the code step."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if has_two_factor(user):
            signin.begin_two_factor(self.request, user=user, next_url=self.get_success_url())
            return redirect("accounts:login_code")
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled_for:
            response.status_code = 429
            response["Retry-After"] = str(form.throttled_for)
        return response


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second login step: the session is logged in only once the code is right."""
    pending = signin.pending_two_factor(request)
    if pending is None:
        return redirect("accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = signin.code_wait_seconds(request, user=pending.user)
        if wait:
            form.add_error(None, signin.wait_message(wait))
            status = 429
        else:
            try:
                check_two_factor_code(
                    user=pending.user, code=form.cleaned_data["code"], now=timezone.now()
                )
            except TwoFactorCodeWrong as exc:
                signin.record_wrong_code(request, user=pending.user)
                add_domain_error(form, exc)
            else:
                signin.record_right_code(user=pending.user)
                signin.end_two_factor(request)
                auth.login(request, pending.user, backend=pending.backend)
                return HttpResponseRedirect(_safe_next(request, pending.next_url))
    response = render(request, "accounts/login_code.html", {"form": form}, status=status)
    if status == 429:
        response["Retry-After"] = str(wait)
    return response


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url("dashboard:home")


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    """The same 'check your email' for every address; at most one email per address per
    5 minutes, and 10 requests an hour per client address."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        refused = _email_request_refused(self.request)
        if refused is not None:
            return refused
        email = signin.normalized_email(form.cleaned_data["email"])
        if cooldown_passed("password-reset-email", email, seconds=signin.EMAIL_COOLDOWN_SECONDS):
            send_password_reset_task.enqueue(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Turn two-factor login on (new secret, confirmed with a code) or off (with a code)."""
    user = request.user
    form = TwoFactorCodeForm(request.POST or None)
    action = request.POST.get("action")
    status = 200
    if request.method == "POST" and action == "start":
        try:
            start_two_factor_setup(user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("accounts:two_factor")
    if request.method == "POST" and action in ("enable", "disable") and form.is_valid():
        wait = signin.code_wait_seconds(request, user=user)
        if wait:
            form.add_error(None, signin.wait_message(wait))
            status = 429
        else:
            change = enable_two_factor if action == "enable" else disable_two_factor
            try:
                change(user=user, code=form.cleaned_data["code"], now=timezone.now())
            except TwoFactorCodeWrong as exc:
                signin.record_wrong_code(request, user=user)
                add_domain_error(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("accounts:two_factor")
            else:
                signin.record_right_code(user=user)
                messages.success(
                    request,
                    "Two-factor login is on: you will be asked for a code after your password."
                    if action == "enable"
                    else "Two-factor login is off.",
                )
                return redirect("accounts:two_factor")
    device = two_factor_device_of(user)
    pending = device is not None and not device.is_enabled
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "form": form,
            "action": "disable" if device is not None and device.is_enabled else "enable",
            "secret": device.secret if pending else "",
            "otpauth_uri": provisioning_uri(device) if pending else "",
        },
        status=status,
    )
