from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from rezerva.accounts.forms import AdminLoginForm
from rezerva.accounts.models import TwoFactorDevice, User

# The admin's login goes through the same lockouts as the site's (accounts.signin), and refuses
# accounts with two-factor login, which log in on the site with their code first.
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    """Staff can see who has two-factor login and delete a lost device; never the secret."""

    list_display = ["user", "confirmed_at", "created_at"]
    search_fields = ["user__email"]
    fields = ["user", "confirmed_at", "created_at"]
    readonly_fields = ["user", "confirmed_at", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
