"""Domain events of the tweets app.

Sent by tweets.services with transaction.on_commit. Arguments are ids.
"""

from django.dispatch import Signal

# tweet_id, author_id. Sent for every new tweet row: originals, replies,
# quotes and retweets alike.
tweet_posted = Signal()
# tweet_id, author_id
tweet_edited = Signal()
# tweet_id, author_id, removed_by_id (None unless a moderator removed it)
tweet_deleted = Signal()
# tweet_id, user_id
tweet_liked = Signal()
tweet_unliked = Signal()
# retweet_id, tweet_id (the original), user_id
tweet_retweeted = Signal()
# tweet_id, user_id
tweet_unretweeted = Signal()
