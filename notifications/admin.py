"""The staff side of notifications: browse them, browse push subscriptions,
and send a notice to a person (the one kind the staff write; the others are
made by the domain events)."""

from functools import partial

from django import forms
from django.contrib import admin
from django.db import transaction

from accounts.admin import ReadOnlyAdmin
from accounts.models import User

from . import services, tasks
from .models import Notification, PushSubscription


class NoticeForm(forms.ModelForm):
    recipient = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), widget=forms.TextInput)
    text = forms.CharField(widget=forms.Textarea, max_length=1000, help_text="What the person will read.")

    class Meta:
        model = Notification
        fields = ("recipient", "text")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "actor", "tweet_id")
    list_filter = ("kind",)
    search_fields = ("recipient__username__iexact", "actor__username__iexact")
    list_select_related = ("recipient", "actor")
    raw_id_fields = ("recipient", "actor", "tweet")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        # "Add notification" sends a staff notice.
        return request.user.is_staff

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NoticeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("recipient", "text") if obj is None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        notice = services.send_notice(request.user, form.cleaned_data["recipient"], form.cleaned_data["text"])
        obj.pk = notice.pk
        transaction.on_commit(partial(tasks.deliver.delay, notice.pk))

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "endpoint", "standard", "policy")
    search_fields = ("user__username__iexact",)
    list_select_related = ("user",)
    raw_id_fields = ("user", "access_token")
