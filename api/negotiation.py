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
        return renderers[0], renderers[0].media_type
