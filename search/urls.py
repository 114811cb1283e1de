from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/complete/", views.complete, name="search_complete"),
]
