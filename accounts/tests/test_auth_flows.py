"""Sign-up with e-mail verification, password reset and change (django-allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/\S+/)")


def only_link(message) -> str:
    return LINK.search(message.body).group(1)


def test_sign_up_sends_a_verification_mail_whose_link_verifies(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "username": "newbie",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@example.com"]

    confirm = only_link(mail.outbox[0])
    client.post(confirm)
    address.refresh_from_db()
    assert address.verified


def test_password_reset_by_mail_sets_a_new_password(client, make_user):
    ann = make_user("ann")
    EmailAddress.objects.create(user=ann, email=ann.email, verified=True, primary=True)
    client.post("/accounts/password/reset/", {"email": ann.email})
    assert len(mail.outbox) == 1
    reset_page = client.get(only_link(mail.outbox[0]), follow=True)
    form_url = reset_page.redirect_chain[-1][0] if reset_page.redirect_chain else only_link(mail.outbox[0])
    response = client.post(form_url, {"password1": "brand-new-secret-77", "password2": "brand-new-secret-77"})
    assert response.status_code == 302
    assert client.login(username="ann", password="brand-new-secret-77")
    assert not client.login(username="ann", password="pw-ann-123")


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client):
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_change_needs_the_old_password(client, make_user):
    make_user("ann")
    client.login(username="ann", password="pw-ann-123")
    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": "another-pass-88", "password2": "another-pass-88"},
    )
    assert wrong.status_code == 200  # the form again, with its error
    assert "oldpassword" in wrong.context["form"].errors
    right = client.post(
        "/accounts/password/change/",
        {"oldpassword": "pw-ann-123", "password1": "another-pass-88", "password2": "another-pass-88"},
    )
    assert right.status_code == 302
    client.logout()
    assert client.login(username="ann", password="another-pass-88")
