"""Owner and staff accounts: people log in with their email address."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class EmailUserManager(UserManager):
    """Creates users keyed by email; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who runs or works in a business."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): on once `confirmed_at` is set.

    The secret has to be readable to compute codes, so it is stored as is (base32); anyone who
    can read this table can compute codes, just as with any TOTP server. `last_used_step` is the
    time step of the last accepted code: a code is accepted only for a later step, so it cannot be
    used twice."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="two_factor_device"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        state = "on" if self.confirmed_at else "being set up"
        return f"Two-factor for {self.user_id} ({state})"

    @property
    def is_enabled(self) -> bool:
        return self.confirmed_at is not None
