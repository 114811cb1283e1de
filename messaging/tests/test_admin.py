"""The admin shows metadata, never a message body, ciphertext or key."""

from django.urls import reverse

from messaging import services


def test_the_admin_shows_who_and_when_but_no_body(admin_client, pair, ann):
    message = services.send_message(ann, pair.pk, "the secret recipe")
    pages = [
        reverse("admin:messaging_conversation_changelist"),
        reverse("admin:messaging_conversation_change", args=[pair.pk]),
        reverse("admin:messaging_message_changelist"),
        reverse("admin:messaging_message_change", args=[message.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "secret recipe" not in html
        assert "ciphertext" not in html.lower()
        assert "<memory at" not in html  # no binary column (wrapped key, nonce)
    assert "@ann" in admin_client.get(pages[2]).content.decode()


def test_the_admin_cannot_change_or_delete_messages(admin_client, pair, ann):
    message = services.send_message(ann, pair.pk, "hi")
    url = reverse("admin:messaging_message_delete", args=[message.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
