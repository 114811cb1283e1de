"""Which notifications the domain events make, and which they take back.

The events run as they do in production, after commit, and their Celery
tasks eagerly (the root conftest); the integration tests run them in a
real worker.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services as accounts
from notifications import selectors, services, tasks
from notifications.models import Kind, Notification, Preference
from tweets import services as tweets


def kinds_for(user):
    """(kind, actor username, tweet id) of what `user` sees, newest first."""
    page = selectors.notifications_page(user, limit=40)
    return [(n.kind, n.actor.username if n.actor else None, n.tweet_id) for n in page.items]


def test_a_like_notifies_the_author_and_an_unlike_takes_it_back(events, ann, bob, post):
    tweet = post(bob)
    with events():
        tweets.like(ann, tweet)
    assert kinds_for(bob) == [("like", "ann", tweet.pk)]
    with events():
        tweets.unlike(ann, tweet)
    assert kinds_for(bob) == []


def test_nobody_is_notified_of_their_own_doing(events, bob, post):
    tweet = post(bob, "@bob talking to myself")
    with events():
        tweets.like(bob, tweet)
        tweets.retweet(bob, tweet)
        post(bob, "and again", in_reply_to=tweet)
    assert Notification.objects.count() == 0


def test_a_retweet_notifies_the_original_author_and_an_unretweet_takes_it_back(events, ann, bob, post):
    tweet = post(bob)
    with events():
        retweet = tweets.retweet(ann, tweet)
    assert kinds_for(bob) == [("retweet", "ann", tweet.pk)]
    with events():
        tweets.delete_tweet(ann, retweet)
    assert kinds_for(bob) == []


def test_replies_quotes_and_mentions(events, ann, bob, carol, post):
    tweet = post(bob)
    with events():
        reply = post(ann, "@bob @carol what do you think", in_reply_to=tweet)
        quote = post(carol, "look @bob", quote_of=tweet)
    # bob, answered and mentioned, hears of the reply once; quoted and mentioned, of the quote once.
    assert kinds_for(bob) == [("quote", "carol", quote.pk), ("reply", "ann", reply.pk)]
    assert kinds_for(carol) == [("mention", "ann", reply.pk)]


def test_a_deleted_tweet_takes_its_notifications_along(events, ann, bob, post):
    tweet = post(bob)
    with events():
        reply = post(ann, "@bob hi", in_reply_to=tweet)
        tweets.like(ann, tweet)
    with events():
        tweets.delete_tweet(ann, reply)
        tweets.delete_tweet(bob, tweet)
    assert kinds_for(bob) == []


def test_a_moderators_removal_is_a_staff_notice(events, ann, moderator, post):
    tweet = post(ann, "against the rules")
    with events():
        tweets.delete_tweet(moderator, tweet)
    [notice] = selectors.notifications_page(ann).items
    assert (notice.kind, notice.actor, notice.tweet_id) == (Kind.NOTICE, None, tweet.pk)
    assert "removed your tweet" in notice.text


def test_follows_and_unfollows(events, ann, bob):
    with events():
        accounts.follow(ann, bob)
    assert kinds_for(bob) == [("follow", "ann", None)]
    with events():
        accounts.unfollow(ann, bob)
    assert kinds_for(bob) == []


def test_a_follow_request_its_approval_and_its_withdrawal(events, ann, bob, pat):
    with events():
        accounts.follow(ann, pat)
        accounts.follow(bob, pat)
    assert kinds_for(pat) == [("follow_request", "bob", None), ("follow_request", "ann", None)]
    with events():
        accounts.approve_follow_request(pat, ann)
        accounts.cancel_follow_request(bob, pat)
    # pat approved ann herself: no "ann followed you" on top.
    assert kinds_for(pat) == []
    assert kinds_for(ann) == [("follow_accepted", "pat", None)]


def test_a_rejected_request_leaves_nothing(events, ann, pat):
    with events():
        accounts.follow(ann, pat)
    with events():
        accounts.reject_follow_request(pat, ann)
    assert kinds_for(pat) == []
    assert kinds_for(ann) == []


def test_nothing_from_blocked_accounts_either_way(events, ann, bob, post):
    mine, theirs = post(bob), post(ann)
    with events():
        tweets.like(ann, mine)
        tweets.like(bob, theirs)
    with events():
        accounts.block(bob, ann)
    assert Notification.objects.count() == 0
    with events():
        post(ann, "@bob can you hear me")
    assert kinds_for(bob) == []


def test_muted_accounts_are_hidden_until_unmuted(events, ann, bob, post):
    tweet = post(bob)
    with events():
        tweets.like(ann, tweet)
    accounts.mute(bob, ann)
    assert kinds_for(bob) == []
    with events():
        post(ann, "@bob hello?")
    accounts.unmute(bob, ann)
    # What came while muted was never made; what came before shows again.
    assert kinds_for(bob) == [("like", "ann", tweet.pk)]


def test_a_suspended_actor_is_hidden(events, ann, bob, moderator, post):
    with events():
        tweets.like(ann, post(bob))
    accounts.suspend(moderator, ann)
    assert kinds_for(bob) == []
    accounts.unsuspend(moderator, ann)
    assert len(kinds_for(bob)) == 1


def test_no_notification_about_a_tweet_the_recipient_cannot_see(events, ann, bob, pat, post):
    with events():
        post(pat, "@ann you can't read this")
    assert kinds_for(ann) == []
    accounts.follow(bob, pat)
    accounts.approve_follow_request(pat, bob)
    with events():
        secret = post(pat, "@bob but you can")
    assert kinds_for(bob) == [("mention", "pat", secret.pk)]


def test_editing_in_and_out_a_mention(events, ann, bob, carol, post):
    with events():
        tweet = post(ann, "hello @bob")
    with events():
        tweets.edit_tweet(ann, tweet, "hello @carol")
    assert kinds_for(bob) == []
    assert kinds_for(carol) == [("mention", "ann", tweet.pk)]


def test_a_task_run_twice_makes_one_notification(ann, bob, post):
    tweet = post(bob)
    tweets.like(ann, tweet)
    tasks.liked(tweet.pk, ann.pk)
    tasks.liked(tweet.pk, ann.pk)
    assert Notification.objects.filter(recipient=bob).count() == 1


@pytest.mark.parametrize(
    ("who", "heard_from"),
    [("everyone", {"ann", "carol"}), ("following", {"carol"}), ("off", set())],
)
def test_preferences(events, ann, bob, carol, post, who, heard_from):
    accounts.follow(bob, carol)
    services.set_preferences(bob, {"like": who})
    tweet = post(bob)
    with events():
        tweets.like(ann, tweet)
        tweets.like(carol, tweet)
        accounts.follow(ann, bob)
    assert {actor for kind, actor, _ in kinds_for(bob) if kind == "like"} == heard_from
    assert ("follow", "ann", None) in kinds_for(bob)  # other kinds unaffected


def test_preferences_refuse_what_does_not_exist(bob):
    with pytest.raises(ValidationError):
        services.set_preferences(bob, {"like": "sometimes"})
    with pytest.raises(ValidationError):
        services.set_preferences(bob, {"notice": "off"})  # the staff must reach everyone
    with pytest.raises(ValidationError):
        services.set_preferences(bob, {"like": "off", "nonsense": "off"})
    assert not Preference.objects.exists()  # all or nothing
    services.set_preferences(bob, {"like": "following"})
    services.set_preferences(bob, {"like": "everyone"})
    assert not Preference.objects.exists()  # the default is no row
    assert selectors.preferences(bob)["like"] == "everyone"


def test_unread_count_and_mark_read(events, ann, bob, carol, post):
    tweet = post(bob)
    with events():
        tweets.like(ann, tweet)
        tweets.like(carol, tweet)
    assert selectors.unread_count(bob) == 2
    services.mark_read(bob)
    assert selectors.unread_count(bob) == 0
    with events():
        accounts.follow(ann, bob)
    assert selectors.unread_count(bob) == 1
    services.mark_read(carol)  # nothing to mark: no marker made
    assert selectors.last_read_id(carol) == 0


def test_dismiss_and_clear_touch_only_ones_own(events, ann, bob, post):
    with events():
        tweets.like(ann, post(bob))
        tweets.like(bob, post(ann))
    [mine] = Notification.objects.filter(recipient=bob)
    assert services.dismiss(ann, mine.pk) is False
    assert services.dismiss(bob, mine.pk) is True
    services.clear(bob)
    assert Notification.objects.filter(recipient=ann).count() == 1


def test_grouped_page(events, make_user, ann, bob, carol, post):
    tweet, other = post(bob), post(bob, "another")
    likers = [make_user(f"fan{n}") for n in range(5)]
    with events():
        for fan in likers:
            tweets.like(fan, tweet)
        tweets.like(ann, other)
        post(carol, "@bob hi")
        accounts.follow(ann, bob)
        accounts.follow(carol, bob)
    page = selectors.grouped_page(bob)
    summary = [(g.kind, g.count, [a.username for a in g.actors], g.others) for g in page.groups]
    assert summary == [
        ("follow", 2, ["carol", "ann"], 0),
        ("mention", 1, ["carol"], 0),
        ("like", 1, ["ann"], 0),
        ("like", 5, ["fan4", "fan3", "fan2"], 2),
    ]
    first = selectors.grouped_page(bob, limit=2)
    assert [g.kind for g in first.groups] == ["follow", "mention"]
    rest = selectors.grouped_page(bob, limit=2, max_id=first.next_max_id)
    assert [g.count for g in rest.groups] == [1, 5]
    assert rest.next_max_id is None


def test_staff_notices(ann, bob, moderator):
    with pytest.raises(PermissionDenied):
        services.send_notice(ann, bob, "I am not staff")
    with pytest.raises(ValidationError):
        services.send_notice(moderator, bob, "   ")
    notice = services.send_notice(moderator, bob, "Please read the rules.")
    services.set_preferences(bob, dict.fromkeys(selectors.preferences(bob), "off"))
    assert selectors.notifications_page(bob).items == [notice]
