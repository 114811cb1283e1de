"""Content negotiation for the API."""

from rest_framework.negotiation import BaseContentNegotiation


class JSONAlways(BaseContentNegotiation):
    """Mastodon answers JSON whatever `Accept` says; so do we (no 406)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.startswith(parser.media_type.split(";")[0]):
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        # `?format=json` still chooses among a view's renderers (the schema
        # view offers YAML and JSON).
        wanted = format_suffix or request.query_params.get("format")
        chosen = next((r for r in renderers if r.format == wanted), renderers[0])
        return chosen, chosen.media_type
