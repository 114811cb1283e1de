from django.urls import path

from . import views

urlpatterns = [
    path("compose/", views.compose, name="compose"),
    path("compose/count/", views.count, name="compose_count"),
    path("tweets/<int:tweet_id>/edit/", views.edit, name="tweet_edit"),
    path("tweets/<int:tweet_id>/history/", views.history, name="tweet_history"),
    path("tweets/<int:tweet_id>/delete/", views.delete, name="tweet_delete"),
    path("tweets/<int:tweet_id>/like/", views.like, name="tweet_like"),
    path("tweets/<int:tweet_id>/unlike/", views.unlike, name="tweet_unlike"),
    path("tweets/<int:tweet_id>/retweet/", views.retweet, name="tweet_retweet"),
    path("tweets/<int:tweet_id>/unretweet/", views.unretweet, name="tweet_unretweet"),
    path("<str:username>/status/<int:tweet_id>/", views.tweet_detail, name="tweet_detail"),
]
