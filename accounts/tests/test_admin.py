"""The accounts admin: pages, search, query counts, and moderation through services."""

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts import roles, services
from accounts.models import Block, Follow, FollowRequest, Mute, User
from tests.admin_actions import action_names, change_url, changelist_url, messages_of, run_action

GRAPH_MODELS = [User, Follow, FollowRequest, Block, Mute]


@pytest.fixture
def graph(make_user, ann, bob):
    """A few rows in every table: a follow, a follow request, a block, a mute."""
    locked = make_user("locked", is_protected=True)
    dave = make_user("dave")
    services.follow(ann, bob)
    services.follow(ann, locked)
    services.block(bob, dave)
    services.mute(dave, ann)
    return {"ann": ann, "bob": bob, "locked": locked, "dave": dave}


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def staff_without_moderation(make_user):
    """Staff who may look at accounts but not suspend them."""
    user = make_user("helper", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("model", GRAPH_MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_list_and_detail_of_every_model(admin_client, graph, model):
    row = model.objects.order_by("pk").last()

    listing = admin_client.get(changelist_url(model))
    detail = admin_client.get(change_url(row))

    assert listing.status_code == 200
    assert row in listing.context["cl"].result_list
    assert detail.status_code == 200
    assert detail.context["original"] == row
    assert escape(str(row)) in detail.content.decode()


@pytest.mark.parametrize("model", GRAPH_MODELS, ids=lambda m: m.__name__)
def test_changelists_make_no_query_per_row(admin_client, make_user, graph, model):
    url = changelist_url(model)
    admin_client.get(url)  # warm the content-type and session caches
    with CaptureQueriesContext(connection) as few:
        before = admin_client.get(url)
    for _ in range(3):
        new = make_user()
        services.follow(new, graph["bob"])
        services.follow(new, graph["locked"])
        services.block(new, graph["dave"])
        services.mute(new, graph["ann"])
    with CaptureQueriesContext(connection) as many:
        after = admin_client.get(url)

    assert len(after.context["cl"].result_list) == len(before.context["cl"].result_list) + 3
    assert len(many.captured_queries) == len(few.captured_queries)


def test_user_page_shows_profile_fields_and_keeps_counters_and_suspension_read_only(admin_client, graph):
    response = admin_client.get(change_url(graph["ann"]))

    adminform = response.context["adminform"]
    editable = set(adminform.form.fields)
    assert {"display_name", "bio", "location", "website", "avatar", "header", "is_protected"} <= editable
    read_only = {
        "followers_count",
        "following_count",
        "tweets_count",
        "is_active",
        "suspended_at",
        "suspension_reason",
        "role",
    }
    assert read_only <= set(adminform.readonly_fields)
    assert not read_only & editable


def test_user_list_shows_each_role(admin_client, moderator, ann):
    response = admin_client.get(changelist_url(User))

    content = response.content.decode()
    assert '<td class="field-role">moderator</td>' in content
    assert '<td class="field-role">admin</td>' in content  # the superusers
    assert '<td class="field-role">user</td>' in content
    assert roles.role_of(ann) == roles.USER


def test_moderator_suspends_and_unsuspends_accounts(moderator_client, ann, bob):
    listing = moderator_client.get(changelist_url(User))
    assert {"suspend_accounts", "unsuspend_accounts"} <= action_names(listing)
    assert moderator_client.get(change_url(bob)).status_code == 200  # view-only for moderators

    response = run_action(moderator_client, User, "suspend_accounts", [bob])

    assert response.redirect_chain == [(changelist_url(User), 302)]
    bob.refresh_from_db()
    ann.refresh_from_db()
    assert not bob.is_active
    assert bob.suspended_at is not None
    assert ann.is_active
    assert ann.suspended_at is None
    assert messages_of(response) == [(message_levels.SUCCESS, "Suspended 1 account(s).")]

    response = run_action(moderator_client, User, "unsuspend_accounts", [bob])

    bob.refresh_from_db()
    assert bob.is_active
    assert bob.suspended_at is None
    assert messages_of(response) == [(message_levels.SUCCESS, "Unsuspended 1 account(s).")]


def test_suspension_refused_for_one_user_is_reported_and_others_go_ahead(
    moderator_client, moderator, make_user, bob
):
    staff = make_user("staffer", is_staff=True)

    response = run_action(moderator_client, User, "suspend_accounts", [bob, staff, moderator])

    bob.refresh_from_db()
    staff.refresh_from_db()
    moderator.refresh_from_db()
    assert not bob.is_active
    assert staff.is_active
    assert staff.suspended_at is None
    assert moderator.is_active
    sent = messages_of(response)
    assert (message_levels.ERROR, "@staffer: Only an administrator can suspend or unsuspend staff.") in sent
    assert (message_levels.ERROR, "@mod: You can't suspend or unsuspend yourself.") in sent
    assert (message_levels.SUCCESS, "Suspended 1 account(s).") in sent


def test_staff_without_the_permission_neither_sees_nor_runs_the_actions(
    client, staff_without_moderation, bob
):
    client.force_login(staff_without_moderation)

    listing = client.get(changelist_url(User))
    response = run_action(client, User, "suspend_accounts", [bob])

    assert listing.status_code == 200
    assert not {"suspend_accounts", "unsuspend_accounts"} & action_names(listing)
    bob.refresh_from_db()
    assert bob.is_active
    assert bob.suspended_at is None
    assert response.redirect_chain == []  # with no action to run, the post just shows the list


@pytest.mark.parametrize("model", GRAPH_MODELS, ids=lambda m: m.__name__)
def test_non_staff_and_anonymous_are_sent_to_the_admin_login(client, ann, model):
    url = changelist_url(model)
    anonymous = client.get(url)
    client.force_login(ann)
    member = client.get(url)

    for response in (anonymous, member):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_search_finds_accounts_by_username_and_display_name(admin_client, graph):
    by_username = admin_client.get(changelist_url(User), {"q": "dav"})
    by_name = admin_client.get(changelist_url(User), {"q": "Bob"})
    follows = admin_client.get(changelist_url(Follow), {"q": "locked"})

    assert list(by_username.context["cl"].result_list) == [graph["dave"]]
    assert list(by_name.context["cl"].result_list) == [graph["bob"]]
    assert list(follows.context["cl"].result_list) == []  # ann's follow of @locked is only a request
    requests = admin_client.get(changelist_url(FollowRequest), {"q": "locked"})
    assert [r.requester for r in requests.context["cl"].result_list] == [graph["ann"]]


def test_graph_tables_are_read_only_even_for_superusers(admin_client, graph):
    follow = Follow.objects.get()

    assert admin_client.get(reverse("admin:accounts_follow_add")).status_code == 403
    assert admin_client.get(reverse("admin:accounts_follow_delete", args=[follow.pk])).status_code == 403
    response = admin_client.post(change_url(follow), {"follower": graph["bob"].pk})
    assert response.status_code == 403
    follow.refresh_from_db()
    assert follow.follower == graph["ann"]


def test_nobody_deletes_accounts_in_the_admin(client, admin_client, make_user, bob):
    # Suspension is the moderation tool; a cascade delete would break counters.
    root = make_user("root2", is_superuser=True, is_staff=True)
    administrator = make_user("boss")
    services.set_role(root, administrator, roles.ADMIN)
    client.force_login(administrator)
    delete_url = reverse("admin:accounts_user_delete", args=[bob.pk])

    for staff_client in (client, admin_client):
        assert staff_client.get(delete_url).status_code == 403
        assert "delete_selected" not in action_names(staff_client.get(changelist_url(User)))


def form_data(response):
    """What the browser would post back for an unchanged admin form."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or isinstance(field, forms.FileField) or value in (None, False):
            continue
        data[name] = "on" if value is True else value
    return data


def test_profile_edit_goes_through_the_service(admin_client, ann, bob):
    ann = services.update_profile(ann, is_protected=True)
    assert services.follow(bob, ann) == "requested"
    page = admin_client.get(change_url(ann))
    data = form_data(page) | {"display_name": "Annie"}
    del data["is_protected"]  # make the account public

    response = admin_client.post(change_url(ann), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    ann.refresh_from_db()
    assert ann.display_name == "Annie"
    assert not ann.is_protected
    # update_profile approves pending requests when an account goes public.
    assert Follow.objects.filter(follower=bob, followee=ann).exists()
    assert not FollowRequest.objects.exists()
    assert ann.followers_count == 1


def test_editing_a_suspended_account_keeps_it_suspended(admin_client, moderator, bob):
    services.suspend(moderator, bob, reason="spam")
    page = admin_client.get(change_url(bob))

    response = admin_client.post(change_url(bob), form_data(page) | {"bio": "hello"})

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.bio == "hello"
    assert not bob.is_active
    assert bob.suspended_at is not None
    assert bob.suspension_reason == "spam"


def test_superuser_adds_an_account_and_usernames_stay_unique_ignoring_case(admin_client, ann):
    url = reverse("admin:accounts_user_add")
    data = {
        "email": "new@example.com",
        "usable_password": "true",
        "password1": "a-long-passphrase-1",
        "password2": "a-long-passphrase-1",
    }

    assert admin_client.get(url).status_code == 200
    taken = admin_client.post(url, data | {"username": "ANN"})
    created = admin_client.post(url, data | {"username": "Newbie"})

    assert taken.status_code == 200
    assert "username" in taken.context["adminform"].form.errors
    assert created.status_code == 302
    newbie = User.objects.get(username="Newbie")
    assert newbie.email == "new@example.com"
    assert newbie.check_password("a-long-passphrase-1")
    assert newbie.is_active
