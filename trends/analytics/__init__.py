"""Engagement analytics: impressions and profile visits counted in Redis as
pages and API responses are served (counters, receivers), rolled up hourly
with the day's likes, retweets, replies, quotes and follows into TweetDay
and AccountDay (services, tasks), shown to each account on /analytics/
(selectors, charts, views), summed for staff (admin) and exported nightly
to Parquet (export). docs/analytics.md has the design and the figures."""
