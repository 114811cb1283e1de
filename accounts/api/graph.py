"""Changing how the user relates to an account: follow, block, mute and
their undoing, removing a follower, answering follow requests. Each
answers with the Relationship that results."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.views import MastodonView

from .. import selectors, services
from ..models import User
from .cursors import account_or_404
from .serializers import RelationshipSerializer, relationship_json


class _RelationshipAction(MastodonView):
    """POST one action on the account in the URL; subclasses say which and its scope."""

    def perform(self, actor: User, target: User) -> None:
        raise NotImplementedError

    @extend_schema(request=None, responses=RelationshipSerializer)
    def post(self, request, account_id):
        target = account_or_404(account_id)
        self.perform(request.user, target)
        return Response(relationship_json(target.pk, selectors.relationship(request.user, target)))


class FollowView(_RelationshipAction):
    """Follow, or ask to follow a protected account. Repeating it changes nothing, as in Mastodon."""

    scopes = {"POST": "write:follows"}

    def perform(self, actor, target):
        try:
            services.follow(actor, target)
        except ValidationError as error:
            if error.code != "already_following":
                raise


class UnfollowView(_RelationshipAction):
    """Stop following, or withdraw a follow request."""

    scopes = {"POST": "write:follows"}

    def perform(self, actor, target):
        services.unfollow(actor, target)


class RemoveFromFollowersView(_RelationshipAction):
    scopes = {"POST": "write:follows"}

    def perform(self, actor, target):
        services.remove_follower(actor, target)


class BlockView(_RelationshipAction):
    scopes = {"POST": "write:blocks"}

    def perform(self, actor, target):
        services.block(actor, target)


class UnblockView(_RelationshipAction):
    scopes = {"POST": "write:blocks"}

    def perform(self, actor, target):
        services.unblock(actor, target)


class MuteView(_RelationshipAction):
    scopes = {"POST": "write:mutes"}

    def perform(self, actor, target):
        services.mute(actor, target)


class UnmuteView(_RelationshipAction):
    scopes = {"POST": "write:mutes"}

    def perform(self, actor, target):
        services.unmute(actor, target)


@contextmanager
def _request_must_exist():
    """A follow request that does not exist is "Record not found", as in Mastodon."""
    try:
        yield
    except ValidationError as error:
        if error.code == "no_request":
            raise Http404 from error
        raise


class AuthorizeFollowRequestView(_RelationshipAction):
    scopes = {"POST": "write:follows"}

    def perform(self, actor, target):
        with _request_must_exist():
            services.approve_follow_request(actor, target)


class RejectFollowRequestView(_RelationshipAction):
    scopes = {"POST": "write:follows"}

    def perform(self, actor, target):
        with _request_must_exist():
            services.reject_follow_request(actor, target)
