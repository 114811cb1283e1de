"""How other software finds out what this server is: NodeInfo 2.0
(/.well-known/nodeinfo, /nodeinfo/2.0) and host-meta (the WebFinger template)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape
from rest_framework.response import Response

from api.representation import absolute
from api.views import MastodonView

from .. import selectors
from .instance import ANY_SCOPE, software_version

NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.0"
NODEINFO_CONTENT_TYPE = f'application/json; profile="{NODEINFO_SCHEMA}#"'


class _WellKnown(MastodonView):
    anonymous = {"GET"}
    scopes = {"GET": ANY_SCOPE}
    schema = None  # not part of the Mastodon client API's schema


class NodeInfoLinksView(_WellKnown):
    """Where the NodeInfo document is."""

    def get(self, request):
        return Response({"links": [{"rel": NODEINFO_SCHEMA, "href": absolute(request, "/nodeinfo/2.0")}]})


def software_name() -> str:
    """NodeInfo's name: lower case letters, digits and dashes only."""
    name = "".join(c if c.isalnum() else "-" for c in settings.SITE_NAME.lower())
    return name.strip("-") or "chirp"


class NodeInfoView(_WellKnown):
    """NodeInfo 2.0: software, usage (cached counts), registrations."""

    def get(self, request):
        usage = selectors.instance_usage()
        data = {
            "version": "2.0",
            "software": {"name": software_name(), "version": software_version()},
            "protocols": [],
            "services": {"inbound": [], "outbound": []},
            "usage": {
                "users": {
                    "total": usage.users,
                    "activeMonth": usage.active_month,
                    "activeHalfyear": usage.active_halfyear,
                },
                "localPosts": usage.local_posts,
            },
            "openRegistrations": settings.REGISTRATION_OPEN,
            "metadata": {"nodeName": settings.SITE_NAME},
        }
        return Response(data, content_type=NODEINFO_CONTENT_TYPE)


class HostMetaView(_WellKnown):
    """The XRD document with the WebFinger URL template (RFC 6415)."""

    def get(self, request):
        template = escape(absolute(request, "/.well-known/webfinger")) + "?resource={uri}"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
            f'  <Link rel="lrdd" template="{template}"/>\n'
            "</XRD>\n"
        )
        return HttpResponse(xml, content_type="application/xrd+xml; charset=utf-8")
