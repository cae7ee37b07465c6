"""A Django OAuth Toolkit OpenID Provider on 127.0.0.1 for edge-sso's interop tests.

Binds an ephemeral port first, so the issuer is known before Django is set up,
then migrates a fresh SQLite database in a temporary folder, creates one user
and one public client, prints one JSON line ({"issuer": ...}) and serves with
Django's threaded WSGI server until SIGTERM or until its stdin closes (the test
process died). The RSA signing key is generated here and never leaves this process.

    python serve.py CLIENT_ID REDIRECT_URI USERNAME PASSWORD
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import threading

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


def main():
    client_id, redirect_uri, username, password = sys.argv[1:5]
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    host, port = server.server_address[:2]
    issuer = f"http://{host}:{port}/o"
    workdir = tempfile.mkdtemp(prefix="edge-sso-django-op-")

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )

    from django.conf import settings

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS=[host],
        ROOT_URLCONF="op_app",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(workdir, "op.sqlite3")}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        # Tables straight from the models (what Django's own test runner does with
        # MIGRATE: False): running the 37 migrations of these apps took 5.3 s of
        # the start on this 2-core machine under load, the tables alone 0.8 s.
        MIGRATION_MODULES={app: None for app in ("auth", "contenttypes", "sessions", "oauth2_provider")},
        USE_TZ=True,
        # Each login (and the test user's creation) hashes the password once;
        # with Django's default 1,000,000 PBKDF2 rounds one hash took 1.5 s here
        # under load. The test user's password protects nothing.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {
                                "registration/login.html": (
                                    '<form method="post" action="">{% csrf_token %}{{ form.as_p }}'
                                    '<input type="hidden" name="next" value="{{ next }}">'
                                    '<input type="submit" value="Log in"></form>'
                                )
                            },
                        ),
                        "django.template.loaders.app_directories.Loader",
                    ],
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ],
                },
            }
        ],
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
        },
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_ISS_ENDPOINT": issuer,
            "OIDC_RSA_PRIVATE_KEY": key_pem,
            "OAUTH2_VALIDATOR_CLASS": "op_app.ClaimsValidator",
            "SCOPES": {
                "openid": "OpenID Connect",
                "profile": "Your name",
                "email": "Your email address",
            },
            "DEFAULT_SCOPES": ["openid"],
            "PKCE_REQUIRED": True,
            "ROTATE_REFRESH_TOKEN": True,
            "REFRESH_TOKEN_REUSE_PROTECTION": True,
            "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
            "ID_TOKEN_EXPIRE_SECONDS": 600,
            # The RFC 9700 gates DOT 3.x offers ahead of its 4.0 defaults: no
            # implicit or password grant, no plain PKCE, no token in the query,
            # hashed token storage, and RFC 9207's iss in authorization responses.
            "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
            "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
            "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
            "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
            "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
            "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
        },
    )

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    get_user_model().objects.create_user(
        username, email=f"{username}@example.test", password=password, first_name="Alice", last_name="Liddell"
    )
    Application = get_application_model()
    Application.objects.create(
        name="edge-sso",
        client_id=client_id,
        client_secret="",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )

    server.set_app(get_wsgi_application())

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin():
        # The test process holds our stdin; when it goes (even by SIGKILL) we stop too.
        sys.stdin.buffer.read()
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"issuer": issuer}), flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    # Not a normal interpreter exit: the stdin watcher is still blocked in a read,
    # and finalizing under it aborts ("could not acquire lock for <stdin>").
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
