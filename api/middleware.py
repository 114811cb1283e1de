"""Optional trailing slashes on API routes.

Some Mastodon clients add a slash to every path, POSTs included, where
Django's APPEND_SLASH cannot redirect. API routes are declared without one,
and this strips it before URL resolution.
"""

import re

API_PATH = re.compile(r"^/(api|oauth)/.+/$")


def optional_trailing_slash(get_response):
    def middleware(request):
        if API_PATH.match(request.path_info):
            request.path_info = request.path_info.rstrip("/")
        return get_response(request)

    return middleware
