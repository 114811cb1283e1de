from django.urls import path

from . import discovery, instance, not_yet, search

urlpatterns = [
    # The server describing itself.
    path("api/v1/instance", instance.InstanceV1View.as_view(), name="api_instance_v1"),
    path("api/v2/instance", instance.InstanceV2View.as_view(), name="api_instance"),
    path("api/v1/instance/rules", instance.InstanceRulesView.as_view(), name="api_instance_rules"),
    path("api/v1/instance/peers", instance.InstancePeersView.as_view(), name="api_instance_peers"),
    path(
        "api/v1/instance/extended_description",
        instance.ExtendedDescriptionView.as_view(),
        name="api_instance_extended_description",
    ),
    path(
        "api/v1/instance/translation_languages",
        instance.TranslationLanguagesView.as_view(),
        name="api_instance_translation_languages",
    ),
    path("api/v1/custom_emojis", instance.CustomEmojisView.as_view(), name="api_custom_emojis"),
    path(".well-known/nodeinfo", discovery.NodeInfoLinksView.as_view(), name="nodeinfo_links"),
    path("nodeinfo/2.0", discovery.NodeInfoView.as_view(), name="nodeinfo"),
    path(".well-known/host-meta", discovery.HostMetaView.as_view(), name="host_meta"),
    path("api/v2/search", search.SearchView.as_view(), name="api_search"),
    # Features other issues deliver (see not_yet's docstring).
    path("api/v1/trends/links", not_yet.TrendsView.as_view(), name="api_trends_links"),
    path("api/v1/suggestions", not_yet.SuggestionsView.as_view(), name="api_suggestions_v1"),
    path("api/v2/suggestions", not_yet.SuggestionsView.as_view(), name="api_suggestions"),
    path("api/v1/filters", not_yet.FiltersView.as_view(), name="api_filters_v1"),
    path("api/v2/filters", not_yet.FiltersView.as_view(), name="api_filters"),
    path("api/v1/lists", not_yet.ListsView.as_view(), name="api_lists"),
    path("api/v1/announcements", not_yet.AnnouncementsView.as_view(), name="api_announcements"),
    path("api/v1/followed_tags", not_yet.FollowedTagsView.as_view(), name="api_followed_tags"),
    path("api/v1/featured_tags", not_yet.FeaturedTagsView.as_view(), name="api_featured_tags"),
    path("api/v1/endorsements", not_yet.EndorsementsView.as_view(), name="api_endorsements"),
    path("api/v1/scheduled_statuses", not_yet.ScheduledStatusesView.as_view(), name="api_scheduled_statuses"),
    path("api/v1/domain_blocks", not_yet.DomainBlocksView.as_view(), name="api_domain_blocks"),
]
