"""Pages of direct messages: the inbox and its requests, a conversation,
a new conversation, the actions on them, and who may message you.

A conversation the reader is not in is a 404, whoever asks (staff too).
Forms posted by htmx get the fragment they replace, with a 422 and the
error when the service refused; without htmx, a message and a redirect.
Without MESSAGING_MASTER_KEYS the pages of messages answer 503 and say so.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.pages import error_text, id_param

from . import crypto, selectors, services
from .forms import AddPeopleForm, MessageForm, NewConversationForm, WhoMayMessageForm
from .models import Conversation, Message, Participant

NOT_FOUND = "This conversation doesn't exist or you're not in it."


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return error_text(error)
    return str(error) or "Not allowed."


def _participant_or_404(request, conversation_id: int) -> Participant:
    participant = selectors.participation(request.user, conversation_id)
    if participant is None:
        raise Http404(NOT_FOUND)
    return participant


def configured(view):
    """503, with a page saying why, while no master key is configured:
    nothing can be sent or read without one (messaging.crypto)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not crypto.is_configured():
            return render(request, "messaging/unavailable.html", {"reason": crypto.UNAVAILABLE}, status=503)
        return view(request, *args, **kwargs)

    return checked


@login_required
@configured
def inbox(request, tab="all"):
    """The conversations (or requests), most recently active first, a page
    at a time: "Show more" (`?max_id=`, htmx) appends the next."""
    max_id = id_param(request, "max_id", of="message")
    page = selectors.inbox_page(request.user, requests=tab == "requests", max_id=max_id)
    context = {"page": page, "summaries": page.summaries, "max_id": max_id, "tab": tab}
    if request.htmx and (request.GET.get("fragment") or max_id is not None):
        return render(request, "messaging/_inbox_rows.html", context)
    context["request_count"] = selectors.pending_requests(request.user)
    return render(request, "messaging/inbox.html", context)


def _conversation_context(request, participant: Participant, **extra) -> dict:
    max_id = id_param(request, "max_id", of="message")
    page = list(reversed(selectors.messages_page(participant, max_id=max_id)))
    members = selectors.members(participant)
    seen = selectors.seen_by(participant)
    names = {member.user_id: member.user for member in members}
    mine = [m for m in page if m.sender_id == participant.user_id]
    seen_by = []
    if mine:
        seen_by = [
            names[user_id] for user_id, read in seen.items() if read >= mine[-1].pk and user_id in names
        ]
    return {
        "participant": participant,
        "conversation": participant.conversation,
        "members": members,
        "others": [m.user for m in members if m.user_id != participant.user_id],
        "page": page,
        "older": page[0].pk if len(page) >= selectors.PAGE_SIZE else None,
        "last_mine": mine[-1].pk if mine else None,
        "seen_by": seen_by,
        "form": MessageForm(),
        "add_form": AddPeopleForm(),
        **extra,
    }


def _render_messages(request, participant: Participant, status: int = 200, **extra):
    context = _conversation_context(request, participant, **extra)
    return render(request, "messaging/_messages.html", context, status=status)


@login_required
@configured
def conversation(request, conversation_id: int):
    """The conversation, newest messages last. Opening it (or refreshing it
    live) marks it read: what arrives while it is open is seen."""
    participant = _participant_or_404(request, conversation_id)
    if request.GET.get("max_id") is None:
        services.mark_read(request.user, conversation_id)
        participant.refresh_from_db(fields=["last_read_id"])
    if request.htmx and request.GET.get("fragment"):
        return _render_messages(request, participant)
    return render(request, "messaging/conversation.html", _conversation_context(request, participant))


def _form_error(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors) or "Check the message."


@login_required
@configured
@require_POST
def send(request, conversation_id: int):
    participant = _participant_or_404(request, conversation_id)
    form = MessageForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            with form.uploaded(request.user) as media:
                services.send_message(request.user, conversation_id, data["text"], media=media)
        except (ValidationError, PermissionDenied) as refused:
            error = _refusal(refused)
        except Conversation.DoesNotExist:
            raise Http404(NOT_FOUND) from None
    else:
        error = _form_error(form)
    participant.refresh_from_db()
    if request.htmx:
        return _render_messages(request, participant, status=422 if error else 200, error=error)
    if error:
        messages.error(request, error)
    return redirect("messaging_conversation", conversation_id)


@login_required
@configured
def new(request):
    """GET ?to=ann,bob: the form; POST: start (or find) the conversation and send."""
    form = NewConversationForm(
        request.POST or None, request.FILES or None, initial={"to": request.GET.get("to", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # A refused first message leaves no empty conversation behind.
            with form.uploaded(request.user) as media, transaction.atomic():
                conversation = services.start_conversation(request.user, data["to"], title=data["title"])
                if data["text"].strip() or media:
                    services.send_message(request.user, conversation.pk, data["text"], media=media)
        except (ValidationError, PermissionDenied) as refused:
            form.add_error(None, _refusal(refused))
        else:
            return redirect("messaging_conversation", conversation.pk)
    status = 422 if form.errors else 200
    return render(request, "messaging/new.html", {"form": form}, status=status)


def _act(request, conversation_id: int, action, done: str, *, to_inbox: bool = False):
    """Run a service for a button on the page, then go back or to the inbox."""
    _participant_or_404(request, conversation_id)
    try:
        action()
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _refusal(refused))
        return redirect("messaging_conversation", conversation_id)
    except (Conversation.DoesNotExist, Message.DoesNotExist):
        raise Http404(NOT_FOUND) from None
    messages.success(request, done)
    if to_inbox:
        return redirect("messaging_inbox")
    return redirect("messaging_conversation", conversation_id)


@login_required
@configured
@require_POST
def delete_message(request, conversation_id: int, message_id: int):
    participant = _participant_or_404(request, conversation_id)
    try:
        services.delete_for_me(request.user, conversation_id, message_id)
    except Message.DoesNotExist:
        raise Http404("This message doesn't exist or you can't see it.") from None
    if request.htmx:
        participant.refresh_from_db()
        return _render_messages(request, participant)
    return redirect("messaging_conversation", conversation_id)


@login_required
@configured
@require_POST
def delete_conversation(request, conversation_id: int):
    return _act(
        request,
        conversation_id,
        lambda: services.delete_conversation_for_me(request.user, conversation_id),
        "Conversation deleted.",
        to_inbox=True,
    )


@login_required
@configured
@require_POST
def leave(request, conversation_id: int):
    return _act(
        request,
        conversation_id,
        lambda: services.leave_group(request.user, conversation_id),
        "You left the group.",
        to_inbox=True,
    )


@login_required
@configured
@require_POST
def add_people(request, conversation_id: int):
    _participant_or_404(request, conversation_id)
    form = AddPeopleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["usernames"]))
        return redirect("messaging_conversation", conversation_id)
    people = form.cleaned_data["usernames"]
    return _act(
        request,
        conversation_id,
        lambda: services.add_people(request.user, conversation_id, people),
        "Added to the group.",
    )


@login_required
@configured
@require_POST
def accept(request, conversation_id: int):
    return _act(
        request,
        conversation_id,
        lambda: services.accept_request(request.user, conversation_id),
        "Request accepted.",
    )


@login_required
@configured
@require_POST
def delete_request(request, conversation_id: int):
    return _act(
        request,
        conversation_id,
        lambda: services.delete_request(request.user, conversation_id),
        "Request deleted.",
        to_inbox=True,
    )


@login_required
@configured
@require_POST
def block_request(request, conversation_id: int):
    return _act(
        request,
        conversation_id,
        lambda: services.block_from_request(request.user, conversation_id),
        "Request deleted and sender blocked.",
        to_inbox=True,
    )


@login_required
@configured
@require_POST
def typing(request, conversation_id: int):
    """The page's script posts this while the reader types (throttled there)."""
    try:
        services.typing(request.user, conversation_id)
    except Conversation.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    return HttpResponse(status=204)


@login_required
def badge(request):
    """The unread count in the navigation, refreshed live."""
    return render(request, "messaging/_badge.html", {"count": selectors.unread_conversations(request.user)})


@login_required
def preferences(request):
    form = WhoMayMessageForm(request.POST or None, initial={"who": selectors.who_may_message(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_who_may_message(request.user, form.cleaned_data["who"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Message settings saved.")
            return redirect("settings_messages")
    return render(request, "messaging/preferences.html", {"form": form}, status=422 if form.errors else 200)
