"""Timeline state as Mastodon's API shows it: Marker."""

from rest_framework import serializers

from api.representation import iso

from ..models import Marker


def marker_json(marker: Marker) -> dict:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


class MarkerSerializer(serializers.Serializer):
    """Mastodon's Marker: where the user stopped reading a timeline."""

    last_read_id = serializers.CharField()
    version = serializers.IntegerField(help_text="Grows by one with every change.")
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance):
        return marker_json(instance)


class MarkersSerializer(serializers.Serializer):
    """The markers asked for, by timeline; a timeline without one is left out."""

    home = MarkerSerializer(required=False)
    notifications = MarkerSerializer(required=False)
