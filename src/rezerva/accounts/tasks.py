"""Background work for accounts: the emails whose look-up must not show in the page's answer."""

from django_tasks import task

from rezerva.accounts import services


@task()
def send_sign_up_email_task(email: str, first_name: str = "") -> str:
    """The sign-up link, or a notice to the owner if the address already has an account."""
    return services.send_sign_up_email(email=email, first_name=first_name)


@task()
def send_password_reset_task(email: str) -> int:
    """A password-reset link to the account with this address, if there is one."""
    return services.send_password_reset_email(email=email)
