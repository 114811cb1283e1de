"""The messaging pages: every permission path, forms and their errors."""

import pytest
from django.urls import reverse

from accounts.services import block
from messaging import selectors, services
from messaging.models import Conversation, Message

HTMX = {"HX-Request": "true"}


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def test_anonymous_is_sent_to_log_in(client, pair):
    urls = [
        reverse("messaging_inbox"),
        reverse("messaging_requests"),
        reverse("messaging_new"),
        reverse("messaging_conversation", args=[pair.pk]),
        reverse("settings_messages"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "hi"})
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_participants_read_the_conversation(client, pair, ann, bob):
    services.send_message(ann, pair.pk, "hello <b>bob</b>")
    response = page(client, bob, reverse("messaging_conversation", args=[pair.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "hello &lt;b&gt;bob&lt;/b&gt;" in html
    # Opening it marks it read, and Ann sees "Seen".
    assert selectors.inbox(bob).get().unread == 0
    html = page(client, ann, reverse("messaging_conversation", args=[pair.pk])).content.decode()
    assert "Seen" in html


@pytest.mark.parametrize("who", ["outsider", "staff", "left", "suspended"])
def test_nobody_else_reads_it(client, ann, bob, carol, make_user, who):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "group secret")
    reader = {
        "outsider": lambda: make_user("eve"),
        "staff": lambda: make_user("boss", is_staff=True, is_superuser=True),
        "left": lambda: (services.leave_group(carol, group.pk), carol)[1],
        "suspended": lambda: carol,
    }[who]()
    if who == "suspended":
        carol.is_active = False
        carol.save()
        client.force_login(carol)  # a session made before the suspension
    urls = [
        reverse("messaging_conversation", args=[group.pk]),
        reverse("messaging_conversation", args=[group.pk]) + "?fragment=1",
    ]
    client.force_login(reader)
    for url in urls:
        response = client.get(url, headers=HTMX)
        assert response.status_code in (404, 302), url
        assert "group secret" not in response.content.decode()
    for name in ("messaging_inbox", "messaging_requests"):
        assert "group secret" not in client.get(reverse(name)).content.decode()
    for action in (
        "messaging_send",
        "messaging_typing",
        "messaging_leave",
        "messaging_add",
        "messaging_accept",
    ):
        response = client.post(reverse(action, args=[group.pk]), {"text": "x", "usernames": "ann"})
        assert response.status_code in (404, 302), action
    assert Message.objects.count() == 1


def test_the_inbox_lists_conversations_with_unread_counts(client, pair, ann, bob):
    services.send_message(ann, pair.pk, "first words")
    services.send_message(ann, pair.pk, "second words")
    html = page(client, bob, reverse("messaging_inbox")).content.decode()
    assert "second words" in html
    assert '<span class="count-badge">2<span class="visually-hidden"> unread</span>' in html
    badge = client.get(reverse("messaging_badge")).content.decode()
    assert ">1<" in badge


def test_requests_wait_in_their_tab(client, ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(ann, conversation.pk, "can we talk")
    assert "can we talk" not in page(client, bob, reverse("messaging_inbox")).content.decode()
    assert "can we talk" in client.get(reverse("messaging_requests")).content.decode()
    html = client.get(reverse("messaging_conversation", args=[conversation.pk])).content.decode()
    assert "Accept" in html
    response = client.post(reverse("messaging_accept", args=[conversation.pk]))
    assert response.status_code == 302
    assert "can we talk" in client.get(reverse("messaging_inbox")).content.decode()


def test_block_from_a_request(client, ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(ann, conversation.pk, "spam")
    client.force_login(bob)
    assert client.post(reverse("messaging_block", args=[conversation.pk])).status_code == 302
    assert "spam" not in client.get(reverse("messaging_requests")).content.decode()


def test_send_with_htmx_and_without(client, pair, ann, bob):
    client.force_login(ann)
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "via htmx"}, headers=HTMX)
    assert response.status_code == 200
    assert "via htmx" in response.content.decode()
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "plain"})
    assert response.status_code == 302
    assert Message.objects.count() == 2


def test_bad_input_is_a_message_not_a_500(client, pair, ann, bob):
    client.force_login(ann)
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "  "}, headers=HTMX)
    assert response.status_code == 422
    assert "Write a message." in response.content.decode()
    block(bob, ann)
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "hi"}, headers=HTMX)
    assert response.status_code == 422
    assert "can&#x27;t message @bob" in response.content.decode()
    assert not Message.objects.exists()
    assert client.get(reverse("messaging_conversation", args=[pair.pk]) + "?max_id=abc").status_code == 400


def test_new_conversation(client, ann, bob, carol):
    client.force_login(ann)
    form = client.get(reverse("messaging_new") + "?to=bob")
    assert 'value="bob"' in form.content.decode()
    response = client.post(
        reverse("messaging_new"), {"to": "@bob, carol", "title": "Trip", "text": "hi both"}
    )
    assert response.status_code == 302
    group = Conversation.objects.get()
    assert group.title == "Trip"
    assert response["Location"] == reverse("messaging_conversation", args=[group.pk])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"to": "", "text": "hi"}, "This field is required"),
        ({"to": "nobody_here", "text": "hi"}, "No account @nobody_here"),
        ({"to": "ann", "text": "hi"}, "Choose whom to message"),
        ({"to": "bob", "text": "x" * 10_001}, "at most 10,000"),
        ({"to": "bob", "text": "hi", "title": "t" * 51}, "at most 50 characters"),
    ],
)
def test_new_conversation_errors(client, ann, bob, data, error):
    client.force_login(ann)
    response = client.post(reverse("messaging_new"), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not Conversation.objects.exists()


def test_messaging_someone_who_blocked_you(client, ann, bob):
    block(bob, ann)
    client.force_login(ann)
    response = client.post(reverse("messaging_new"), {"to": "bob", "text": "hi"})
    assert response.status_code == 422
    assert "can&#x27;t message @bob" in response.content.decode()
    assert not Conversation.objects.exists()


def test_groups_leave_and_add(client, ann, bob, carol, make_user):
    group = services.start_conversation(ann, [bob, carol])
    make_user("dan")
    client.force_login(ann)
    response = client.post(reverse("messaging_add", args=[group.pk]), {"usernames": "dan"})
    assert response.status_code == 302
    assert selectors.participation(_user("dan"), group.pk)
    response = client.post(reverse("messaging_add", args=[group.pk]), {"usernames": "ghost"})
    assert response.status_code == 302  # with the error as a message
    client.post(reverse("messaging_leave", args=[group.pk]))
    assert selectors.participation(ann, group.pk) is None


def _user(username):
    from accounts.models import User

    return User.objects.get(username=username)


def test_delete_for_me_and_the_conversation(client, pair, ann, bob):
    message = services.send_message(ann, pair.pk, "regret")
    client.force_login(bob)
    url = reverse("messaging_delete_message", args=[pair.pk, message.pk])
    assert client.post(url, headers=HTMX).status_code == 200
    assert "regret" not in client.get(reverse("messaging_conversation", args=[pair.pk])).content.decode()
    assert client.post(reverse("messaging_delete", args=[pair.pk])).status_code == 302
    assert client.post(reverse("messaging_leave", args=[pair.pk])).status_code == 302  # an error message
    other = services.send_message(ann, pair.pk, "new")
    wrong = reverse("messaging_delete_message", args=[pair.pk, other.pk + 1])
    assert client.post(wrong).status_code == 404


def test_typing_is_204_for_participants(client, pair, ann):
    client.force_login(ann)
    assert client.post(reverse("messaging_typing", args=[pair.pk])).status_code == 204
    assert client.get(reverse("messaging_typing", args=[pair.pk])).status_code == 405


def test_preferences(client, ann):
    client.force_login(ann)
    response = client.get(reverse("settings_messages"))
    assert response.status_code == 200
    assert 'aria-current="page">Messages' in response.content.decode()
    assert client.post(reverse("settings_messages"), {"who": "nobody"}).status_code == 302
    assert selectors.who_may_message(ann) == "nobody"
    assert client.post(reverse("settings_messages"), {"who": "aliens"}).status_code == 422


def test_the_nav_links_to_messages_with_a_badge(client, pair, ann, bob):
    services.send_message(ann, pair.pk, "hi")
    html = page(client, bob, reverse("settings_messages")).content.decode()
    assert reverse("messaging_inbox") in html
    assert 'id="messages-badge"' in html


def _conversations_with(user, count, make_user, follow, *, requests=False):
    """`count` conversations of `user`, each with a message: from `user` to
    followers, or (requests) from strangers to `user`."""
    ids = []
    for _ in range(count):
        other = make_user()
        if requests:
            conversation = services.start_conversation(other, [user])
            services.send_message(other, conversation.pk, "hello stranger")
        else:
            follow(other, user)
            conversation = services.start_conversation(user, [other])
            services.send_message(user, conversation.pk, "hi")
        ids.append(conversation.pk)
    return ids[::-1]  # most recently active first


@pytest.mark.parametrize("tab", ["messaging_inbox", "messaging_requests"])
def test_the_inbox_pages_with_show_more(client, ann, make_user, follow, tab, monkeypatch):
    monkeypatch.setattr(selectors, "INBOX_PAGE_SIZE", 3)
    ids = _conversations_with(ann, 5, make_user, follow, requests=tab == "messaging_requests")
    url = reverse(tab)
    html = page(client, ann, url).content.decode()
    assert [i for i in ids if f'data-conversation="{i}"' in html] == ids[:3]
    more = Conversation.objects.get(pk=ids[2]).last_activity_id
    assert f'hx-get="?max_id={more}"' in html
    assert "Show more" in html
    rest = client.get(url, {"max_id": more}, headers=HTMX)
    fragment = rest.content.decode()
    assert "<nav" not in fragment  # rows only, replacing the link
    assert [i for i in ids if f'data-conversation="{i}"' in fragment] == ids[3:]
    assert "Show more" not in fragment
    assert "No conversations yet" not in fragment
    assert "No message requests" not in fragment
    # Without htmx the link is a page of its own.
    assert f'data-conversation="{ids[3]}"' in client.get(url, {"max_id": more}).content.decode()
    assert client.get(url, {"max_id": "abc"}).status_code == 400


def test_the_inbox_page_size_has_a_default(client, ann, make_user, follow):
    ids = _conversations_with(ann, selectors.INBOX_PAGE_SIZE + 1, make_user, follow)
    html = page(client, ann, reverse("messaging_inbox")).content.decode()
    assert f'data-conversation="{ids[-1]}"' not in html
    assert "Show more" in html


def test_without_master_keys_the_pages_say_so_with_a_503(client, pair, ann, bob, settings):
    services.send_message(ann, pair.pk, "hello")
    settings.MESSAGING_MASTER_KEYS = []
    client.force_login(bob)
    reason = (
        "Direct messages are not configured on this server: the administrator must set MESSAGING_MASTER_KEYS"
    )
    for url in [
        reverse("messaging_inbox"),
        reverse("messaging_requests"),
        reverse("messaging_new"),
        reverse("messaging_conversation", args=[pair.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert reason in response.content.decode()
    response = client.post(reverse("messaging_send", args=[pair.pk]), {"text": "hi"})
    assert response.status_code == 503
    assert Message.objects.count() == 1
    # The rest of the site, the nav badge included, works.
    assert client.get("/").status_code == 200
    assert client.get(reverse("settings_messages")).status_code == 200
