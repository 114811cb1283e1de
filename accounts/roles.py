"""Roles are Django groups: a user has no group, Moderators or Administrators.

The groups and their permissions are (re)created after every migrate, so a
new permission reaches its role without a data migration.
"""

from django.contrib.auth.models import Group, Permission

USER = "user"
MODERATOR = "moderator"
ADMIN = "admin"
ROLES = (USER, MODERATOR, ADMIN)

GROUP_NAMES = {MODERATOR: "Moderators", ADMIN: "Administrators"}

# Permissions by "app_label.codename"; the administrators' group gets all.
MODERATOR_PERMISSIONS = (
    "accounts.suspend_user",
    "accounts.view_user",
    "accounts.view_follow",
    "accounts.view_block",
    "tweets.remove_tweet",
    "tweets.view_tweet",
    "tweets.view_tweetversion",
    # Trends: keeping hashtags out of them (the admin's hashtag search needs view_hashtag).
    "tweets.view_hashtag",
    "trends.view_trendblock",
    "trends.add_trendblock",
    "trends.delete_trendblock",
    "trends.view_trendsnapshot",
)


def sync_role_groups(**kwargs) -> None:
    moderators, _ = Group.objects.get_or_create(name=GROUP_NAMES[MODERATOR])
    wanted = [name.split(".") for name in MODERATOR_PERMISSIONS]
    permissions = Permission.objects.none()
    for app_label, codename in wanted:
        permissions |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    moderators.permissions.set(permissions)
    admins, _ = Group.objects.get_or_create(name=GROUP_NAMES[ADMIN])
    admins.permissions.set(Permission.objects.all())


def role_of(user) -> str:
    names = {group.name for group in user.groups.all()}
    if user.is_superuser or GROUP_NAMES[ADMIN] in names:
        return ADMIN
    if GROUP_NAMES[MODERATOR] in names:
        return MODERATOR
    return USER
