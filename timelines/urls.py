from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/new/", views.home_new, name="home_new"),
    path("explore/", views.explore, name="explore"),
    path("hashtag/<str:tag>/", views.hashtag, name="hashtag"),
    path("<str:username>/", views.profile, name="profile"),
    path("<str:username>/with_replies/", views.profile, {"tab": "replies"}, name="profile_replies"),
    path("<str:username>/likes/", views.profile, {"tab": "likes"}, name="profile_likes"),
]
