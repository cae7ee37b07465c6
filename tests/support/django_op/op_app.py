"""URLs and the claims of the test OP (see serve.py)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.urls import metadata_urlpatterns


class ClaimsValidator(OAuth2Validator):
    """Stock validator plus the standard profile and email claims (OIDC Core §5.4)."""

    def get_additional_claims(self, request):
        user = request.user
        return {"name": user.get_full_name(), "email": user.email, "email_verified": True}

    # DOT 3.4.1 implements neither of oauthlib's two prompt=none hooks, so an
    # OpenID request with prompt=none is a 500 (NotImplementedError) instead of
    # the error OIDC Core §3.1.2.6 asks for; deployments add these. This OP
    # offers no silent login: prompt=none is always answered login_required.
    def validate_silent_login(self, request):
        return False

    def validate_silent_authorization(self, request):
        return False


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # DOT's URLs under the usual o/ prefix: the issuer is http://127.0.0.1:PORT/o,
    # an issuer with a path (OIDC Discovery §4: issuer + /.well-known/openid-configuration).
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    # ... and its RFC 8414 metadata at the root as well, as DOT's documentation asks of
    # prefixed deployments: RFC 8414 §3.1 inserts the well-known path before the issuer's
    # path (/.well-known/oauth-authorization-server/o), which the o/ mount alone 404s.
    path("", include((metadata_urlpatterns, "root_metadata"))),
]
