"""Domain events of the messaging app.

Sent by messaging.services with transaction.on_commit (typing: at once,
nothing is written). Arguments are ids. notifications.receivers turns them
into `direct` stream events, notifications and pushes.
"""

from django.dispatch import Signal

# message_id, conversation_id, sender_id
message_sent = Signal()
# conversation_id, user_id, message_id (the newest message they have read)
message_read = Signal()
# conversation_id, user_id
typing = Signal()
