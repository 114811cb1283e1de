"""The staff side of engagement analytics (imported by trends.admin).

Read-only lists of the daily rows, each headed by the sums of the rows its
filters select, and the site's totals per day. The rows are written by the
roll-up alone (trends.analytics.services).
"""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin import ReadOnlyAdmin

from ..models import AccountDay, TweetDay
from . import counters
from .selectors import ENGAGEMENTS

SITE_TOTAL_DAYS = 90


class WithTotals(ReadOnlyAdmin):
    """A change list whose page shows the sums of `summed` over every row
    the current filters select, not only the page's."""

    change_list_template = "analytics/admin/change_list.html"
    date_hierarchy = "day"
    list_filter = (("day", admin.DateFieldListFilter),)
    summed: tuple[str, ...] = ()
    # Summing a whole table of one row per tweet per day would read it all:
    # such a list sums only once a date filter narrows it.
    sum_needs_date = False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # A redirect (an invalid filter) carries no change list.
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is None:
            return response
        if self.sum_needs_date and not any(name.startswith("day") for name in request.GET):
            response.context_data["totals_hint"] = "Choose a date or a period to see the totals of its rows."
            return response
        # Aliased: an aggregate named like a field would shadow it in ENGAGEMENTS.
        sums = changelist.queryset.aggregate(
            rows=Count("pk"),
            **{f"sum_{name}": Sum(name) for name in self.summed},
            sum_engagements=Sum(ENGAGEMENTS),
        )
        labels = {name: self.model._meta.get_field(name).verbose_name for name in self.summed}
        labels["engagements"] = "engagements (likes, retweets, replies, quotes)"
        response.context_data["totals"] = [
            (label, sums[f"sum_{name}"] or 0) for name, label in labels.items()
        ]
        response.context_data["totals_rows"] = sums["rows"]
        return response


@admin.register(AccountDay)
class AccountDayAdmin(WithTotals):
    summed = (
        "tweets",
        "impressions",
        "likes",
        "retweets",
        "replies",
        "quotes",
        "profile_visits",
        "new_followers",
    )
    list_display = ("day", "user", *summed)
    list_select_related = ("user",)
    search_fields = ("user__username__iexact",)
    ordering = ("-day", "-impressions")

    def get_urls(self):
        totals = path(
            "totals/", self.admin_site.admin_view(self.site_totals_view), name="trends_accountday_totals"
        )
        return [totals, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "site_totals_url": reverse("admin:trends_accountday_totals"),
        }
        return super().changelist_view(request, extra_context)

    def site_totals_view(self, request):
        """The whole site's figures per day, for the last SITE_TOTAL_DAYS days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        since = counters.today() - timedelta(days=SITE_TOTAL_DAYS - 1)
        days = (
            AccountDay.objects.filter(day__gte=since)
            .values("day")
            .annotate(accounts=Count("pk"), **{name: Sum(name) for name in self.summed})
            .order_by("-day")
        )
        columns = ("accounts", *self.summed)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Site totals per day, last {SITE_TOTAL_DAYS} days (UTC)",
            "opts": self.model._meta,
            "headers": [
                "accounts active",
                *(self.model._meta.get_field(name).verbose_name for name in self.summed),
            ],
            "days": [(row["day"], [row[name] for name in columns]) for row in days],
        }
        return TemplateResponse(request, "analytics/admin/site_totals.html", context)


@admin.register(TweetDay)
class TweetDayAdmin(WithTotals):
    summed = ("impressions", "likes", "retweets", "replies", "quotes")
    list_display = ("day", "tweet_id", "author", *summed)
    list_select_related = ("author",)
    search_fields = ("author__username__iexact",)
    ordering = ("-day", "-impressions")
    sum_needs_date = True
