from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from partner42.text import nickname_normalize, validate_nickname


class UserAdminChangeForm(UserChangeForm):
    def clean_nickname(self) -> str:
        # Operators are held to the nickname rules of the profile pages (partner42.text).
        nickname = nickname_normalize(self.cleaned_data["nickname"])
        validate_nickname(nickname)
        return nickname


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    # Image links come from the intra over https; also Django 6's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "username",
        "nickname",
        "email",
        "campus",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "campus")
    search_fields = ("username", "nickname", "email", "api_id")
    readonly_fields = ("api_id", "last_login", "date_joined")
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("username", "password", "api_id")}),
        (_("Profile"), {"fields": ("nickname", "email", "image_url", "campus")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
