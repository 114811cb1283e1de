"""Domain events of the accounts app.

Sent by accounts.services with transaction.on_commit, so a receiver never
sees rolled-back state. Arguments are ids, ready to hand to Celery tasks.
"""

from django.dispatch import Signal

# follower_id, followee_id; user_followed also `approved`: True when the
# follow is a protected account's approval of a request.
user_followed = Signal()
user_unfollowed = Signal()
# requester_id, target_id
follow_requested = Signal()
follow_request_accepted = Signal()
# A request withdrawn by its sender or rejected: requester_id, target_id
follow_request_closed = Signal()
# blocker_id, blocked_id
user_blocked = Signal()
# muter_id, muted_id
user_muted = Signal()
user_unmuted = Signal()
# user_id, moderator_id
user_suspended = Signal()
user_unsuspended = Signal()
# user_id (the profile's owner), viewer_id (None when anonymous): a
# profile page was served, for the engagement analytics. Sent by the view.
profile_viewed = Signal()
