"""The staff side of accounts: users, the social graph, and moderation.

Every change with a rule behind it goes through accounts.services, as pages
and API views do: suspension by the Suspend / Unsuspend actions, profile
edits by update_profile. The graph tables (follows, requests, blocks,
mutes) are read-only here, since a row written by hand would skip the
counters and side effects that the services keep in step with it.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from . import roles, services
from .models import Block, Follow, FollowRequest, Mute, User
from .validators import validate_avatar, validate_header


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search rows that only the services may write."""

    show_full_result_count = False  # a COUNT(*) per page is too slow on millions of rows
    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."


class ChirpUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ChirpUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            validate_avatar(avatar)
        return avatar

    def clean_header(self):
        header = self.cleaned_data.get("header")
        if isinstance(header, UploadedFile):
            validate_header(header)
        return header


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = ChirpUserChangeForm
    add_form = ChirpUserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "bio",
                    "location",
                    "website",
                    "avatar",
                    "header",
                    "is_protected",
                )
            },
        ),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Counters", {"fields": (("followers_count", "following_count", "tweets_count"),)}),
        (
            "Suspension",
            {
                "fields": ("is_active", "suspended_at", "suspension_reason"),
                "description": "Use the Suspend / Unsuspend actions on the list of accounts.",
            },
        ),
        ("Permissions", {"fields": ("role", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = (
        "role",
        "followers_count",
        "following_count",
        "tweets_count",
        # is_active=False means suspended: it changes only with suspended_at.
        "is_active",
        "suspended_at",
        "suspension_reason",
        "last_login",
        "date_joined",
    )
    list_display = (
        "username",
        "display_name",
        "email",
        "role",
        "is_active",
        "is_protected",
        "followers_count",
        "following_count",
        "tweets_count",
        "date_joined",
        "suspended_at",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "is_protected", "groups", "date_joined")
    search_fields = ("username", "display_name", "email")
    ordering = ("-pk",)  # the primary key index; date_joined has none
    show_full_result_count = False
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["suspend_accounts", "unsuspend_accounts"]

    def get_queryset(self, request):
        # role_of() reads user.groups: one prefetch for the page, not a query per row.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="role")
    def role(self, obj):
        return roles.role_of(obj) if obj.pk else ""

    def has_delete_permission(self, request, obj=None):
        # A cascade delete would leave other users' follower counts and the
        # like counts of tweets wrong; suspension is the moderation tool until
        # account deletion exists as a service.
        return False

    def has_suspend_permission(self, request):
        return request.user.has_perm("accounts.suspend_user")

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = [name for name in form.changed_data if name not in ("groups", "user_permissions")]
        profile = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS if name in changed}
        # New images go through the service; a cleared one is a plain field write.
        images = {
            name: form.cleaned_data[name]
            for name in ("avatar", "header")
            if name in changed and form.cleaned_data[name]
        }
        plain = [name for name in changed if name not in profile and name not in images]
        if plain:
            # Only the edited columns: a full save would write back the counters
            # as they were when the form was loaded.
            obj.save(update_fields=plain)
        if profile or images:
            services.update_profile(obj, **profile, **images)

    def _moderate(self, request, users, service, done: str) -> None:
        """Run a moderation service per user; report refusals one by one."""
        count = 0
        for user in users:
            try:
                service(request.user, user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"@{user.username}: {error_text(exc)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)

    @admin.action(description="Suspend selected accounts", permissions=["suspend"])
    def suspend_accounts(self, request, queryset):
        users = queryset.filter(suspended_at__isnull=True)
        self._moderate(request, users, services.suspend, "Suspended {count} account(s).")

    @admin.action(description="Unsuspend selected accounts", permissions=["suspend"])
    def unsuspend_accounts(self, request, queryset):
        users = queryset.filter(suspended_at__isnull=False)
        self._moderate(request, users, services.unsuspend, "Unsuspended {count} account(s).")


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("id", "follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    autocomplete_fields = ("follower", "followee")
    search_fields = ("follower__username", "followee__username")
    list_filter = ("created_at",)
    ordering = ("-pk",)


@admin.register(FollowRequest)
class FollowRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "target", "created_at")
    list_select_related = ("requester", "target")
    autocomplete_fields = ("requester", "target")
    search_fields = ("requester__username", "target__username")
    list_filter = ("created_at",)
    ordering = ("-pk",)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("id", "blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
    autocomplete_fields = ("blocker", "blocked")
    search_fields = ("blocker__username", "blocked__username")
    list_filter = ("created_at",)
    ordering = ("-pk",)


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ("id", "muter", "muted", "created_at")
    list_select_related = ("muter", "muted")
    autocomplete_fields = ("muter", "muted")
    search_fields = ("muter__username", "muted__username")
    list_filter = ("created_at",)
    ordering = ("-pk",)
