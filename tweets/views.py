"""Pages of tweets: compose, the tweet page with its thread, edit, history,
and the like / retweet / delete buttons.

Views parse input, call tweets.services / tweets.selectors and render. A
tweet the viewer may not see is a 404, whoever asks.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.pages import error_text, redirect_back

from . import selectors, services
from .attachments import tweet_media
from .forms import EditTweetForm, TweetForm
from .models import Tweet
from .signals import send_tweets_shown
from .text import MAX_WEIGHT, parse


def _viewer(request):
    return request.user if request.user.is_authenticated else None


def _get_tweet_or_404(request, tweet_id: int) -> Tweet:
    tweet = selectors.get_tweet(_viewer(request), tweet_id)
    if tweet is None:
        raise Http404("This tweet doesn't exist or you can't see it.")
    return tweet


def _optional_target(request, tweet_id):
    if not tweet_id:
        return None
    try:
        tweet_id = int(tweet_id)  # ?reply_to= and ?quote= come unparsed from the query string
    except ValueError:
        raise Http404("This tweet doesn't exist or you can't see it.") from None
    return _get_tweet_or_404(request, tweet_id)


def _post_with_media(request, form) -> Tweet:
    """Upload the form's file, if any, then post the tweet with it; a
    refused tweet takes its upload away again (AttachmentForm.uploaded)."""
    data = form.cleaned_data
    with form.uploaded(request.user) as media:
        return services.post_tweet(
            request.user,
            data["text"],
            in_reply_to=_optional_target(request, data["in_reply_to"]),
            quote_of=_optional_target(request, data["quote_of"]),
            media=media,
        )


@login_required
def compose(request):
    """GET: the compose page (for a reply or quote); POST: post the tweet."""
    if request.method != "POST":
        reply_to = _optional_target(request, request.GET.get("reply_to"))
        quote_of = _optional_target(request, request.GET.get("quote"))
        form = TweetForm(
            initial={
                "in_reply_to": reply_to and reply_to.pk,
                "quote_of": quote_of and quote_of.pk,
                "text": f"@{reply_to.author.username} " if reply_to else "",
            }
        )
        return render(
            request, "tweets/compose.html", {"form": form, "reply_to": reply_to, "quote_of": quote_of}
        )

    form = TweetForm(request.POST, request.FILES)
    error, tweet = "", None
    if form.is_valid():
        try:
            tweet = _post_with_media(request, form)
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)

    if request.htmx:
        context = {"form": TweetForm() if tweet else form, "error": error, "compact": True}
        if tweet:
            context["new_row"] = selectors.get_tweet(request.user, tweet.pk)
            context["form"] = TweetForm(initial={"in_reply_to": form.cleaned_data.get("in_reply_to")})
        return render(request, "tweets/_compose_result.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
        return redirect_back(request, reverse("home"))
    messages.success(request, "Your tweet was sent.")
    return redirect(tweet.get_absolute_url() if tweet.in_reply_to_id else reverse("home"))


@login_required
@require_POST
def count(request):
    """The live weighted character counter of the compose box."""
    parsed = parse(request.POST.get("text", ""))
    return render(
        request,
        "tweets/_counter.html",
        {"remaining": parsed.remaining, "weight": parsed.weight, "max": MAX_WEIGHT},
    )


def tweet_detail(request, username, tweet_id):
    tweet = _get_tweet_or_404(request, tweet_id)
    if tweet.retweet_of_id:
        return redirect(tweet.retweet_of)
    if tweet.author.username != username:
        return redirect(tweet)
    viewer = _viewer(request)
    thread = selectors.thread(viewer, tweet)
    send_tweets_shown(viewer, [*thread.ancestors, tweet, *thread.replies])
    return render(
        request,
        "tweets/tweet_detail.html",
        {
            "thread": thread,
            "tweet": tweet,
            "reply_form": TweetForm(initial={"in_reply_to": tweet.pk, "text": f"@{tweet.author.username} "}),
        },
    )


@login_required
def edit(request, tweet_id):
    tweet = _get_tweet_or_404(request, tweet_id)
    if tweet.author_id != request.user.pk or tweet.retweet_of_id:
        raise PermissionDenied("You can only edit your own tweets.")
    form = EditTweetForm(request.POST or None, initial={"text": tweet.text}, attachments=tweet_media(tweet))
    if request.method == "POST" and form.is_valid():
        media, media_changes = form.media_edit()
        try:
            services.edit_tweet(
                request.user, tweet, form.cleaned_data["text"], media=media, media_changes=media_changes
            )
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, "Your tweet was edited.")
            return redirect(tweet)
    return render(
        request,
        "tweets/edit.html",
        {
            "tweet": tweet,
            "form": form,
            "edits_left": selectors.edits_left(tweet),
            "max_edits": settings.TWEET_MAX_EDITS,
            "window_minutes": settings.TWEET_EDIT_WINDOW_SECONDS // 60,
        },
        status=422 if form.errors else 200,
    )


def history(request, tweet_id):
    tweet = _get_tweet_or_404(request, tweet_id)
    versions = selectors.versions(tweet)
    return render(request, "tweets/history.html", {"tweet": tweet, "versions": reversed(versions)})


@login_required
@require_POST
def delete(request, tweet_id):
    tweet = _get_tweet_or_404(request, tweet_id)
    services.delete_tweet(request.user, tweet)  # PermissionDenied is a 403
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Your tweet was deleted.")
    return redirect("profile", tweet.author.username)


def _engagement(action):
    """Like, unlike, retweet, unretweet: the buttons under a tweet."""

    @login_required
    @require_POST
    def view(request, tweet_id):
        row = _get_tweet_or_404(request, tweet_id)
        error = ""
        try:
            action(request.user, row)
        except ValidationError as exc:
            error = error_text(exc)
        if request.htmx:
            # Undoing one's own retweet deletes the row the buttons were under:
            # show the original's buttons in its place.
            fresh = selectors.get_tweet(request.user, row.pk) or selectors.get_tweet(
                request.user, row.retweet_of_id or row.pk
            )
            return render(
                request,
                "tweets/_actions.html",
                {"row": fresh, "dom_id": row.pk, "error": error},
                status=422 if error else 200,
            )
        if error:
            messages.error(request, error)
        return redirect_back(request, row.get_absolute_url())

    view.__name__ = action.__name__
    return view


like = _engagement(services.like)
unlike = _engagement(services.unlike)
retweet = _engagement(services.retweet)
unretweet = _engagement(services.unretweet)
