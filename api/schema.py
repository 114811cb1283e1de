"""drf-spectacular: how /api/schema/ describes our bearer tokens."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "OAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": "/oauth/authorize",
                    "tokenUrl": "/oauth/token",
                    "scopes": {"read": "Read", "write": "Write", "follow": "Follow", "push": "Push"},
                },
                "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {"read": "Read"}},
            },
        }
