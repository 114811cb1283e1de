"""The notifications admin: browsing, and staff notices sent through it."""

from django.urls import reverse

from notifications import selectors
from notifications.models import Kind, Notification
from tweets import services as tweets


def test_lists_notifications_and_subscriptions(admin_client, events, ann, bob, post):
    with events():
        tweets.like(ann, post(bob))
    page = admin_client.get(reverse("admin:notifications_notification_changelist"))
    assert page.status_code == 200
    assert "@bob" in page.content.decode()
    [notification] = Notification.objects.all()
    assert (
        admin_client.get(
            reverse("admin:notifications_notification_change", args=[notification.pk])
        ).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:notifications_pushsubscription_changelist")).status_code == 200


def test_staff_send_a_notice(admin_client, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_notification_add"),
            {"recipient": bob.pk, "text": "Please mind the rules."},
        )
    assert response.status_code == 302
    [notice] = selectors.notifications_page(bob).items
    assert (notice.kind, notice.text, notice.actor) == (Kind.NOTICE, "Please mind the rules.", None)


def test_a_blank_notice_is_refused_in_the_form(admin_client, bob):
    response = admin_client.post(
        reverse("admin:notifications_notification_add"), {"recipient": bob.pk, "text": ""}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Notification.objects.exists()


def test_nobody_but_staff_gets_in(client, bob):
    client.force_login(bob)
    response = client.get(reverse("admin:notifications_notification_add"))
    assert response.status_code == 302
