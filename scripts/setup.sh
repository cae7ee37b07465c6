#!/usr/bin/env bash
# Installs what building and testing edge-sso needs, on a fresh machine or a
# warm one (every step is skipped when already satisfied). Nothing is fetched
# from outside crates.io, the npm registry and Debian's archive.
#   scripts/setup.sh          toolchain + npm packages
#   scripts/setup.sh browser  ... and Debian's chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must be exactly the version of the crate (its output
# format changes between versions); read it from Cargo.toml's `=x.y.z` pin.
WB_VERSION=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WB_VERSION" ] || { echo "wasm-bindgen pin not found in Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (found: ${have_wb:-none})"
  # Not --locked: the CLI's lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.edge-sso-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# libxml2 through lxml (PyPI; the wheel carries its own libxml2, so the pin
# fixes both): the differential C14N test that npm test runs
# (tests/c14n_differential.rs) and the fixture scripts read it. The version is
# also pinned in tests/support/c14n_differential.py.
if [ "$(python3 -c 'import lxml.etree as e; print(e.__version__)' 2>/dev/null)" != 6.1.3 ]; then
  say "pip install lxml==6.1.3"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore lxml==6.1.3
fi

# The second OpenID Provider of the interop tests (tests/support/django-op.mjs):
# Django OAuth Toolkit from PyPI in its own virtualenv, every package pinned in
# tests/support/django_op/requirements.txt; rebuilt when that file changes.
op_req=tests/support/django_op/requirements.txt
op_venv=.tmp/django-op-venv
op_want=$(sha256sum "$op_req" | cut -d' ' -f1)
if [ ! -x "$op_venv/bin/python" ] || [ "$(cat "$op_venv/.requirements.sha256" 2>/dev/null)" != "$op_want" ]; then
  say "building $op_venv (Django OAuth Toolkit)"
  # Built beside it and moved into place, so a second setup running at the same
  # time never sees (or deletes) a half-built one; only bin/python is used, and
  # a venv's interpreter finds its packages from where it lies.
  mkdir -p .tmp
  new=$(mktemp -d .tmp/django-op-venv.XXXXXX)
  python3 -m venv "$new"
  "$new/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$op_req"
  "$new/bin/python" -m pip check --disable-pip-version-check >/dev/null
  echo "$op_want" > "$new/.requirements.sha256"
  rm -rf "$op_venv"
  mv -T "$new" "$op_venv" 2>/dev/null || rm -rf "$new" # lost a race: the other one is as good
fi

# SAML schema validation in the tests: xmlschema (PyPI) and the OASIS XSDs that
# the pysaml2 wheel ships (downloaded without its dependencies, only unpacked).
if [ "${1:-}" = browser ]; then
  if ! python3 -c 'import xmlschema' 2>/dev/null; then
    say "pip install xmlschema"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore xmlschema==4.3.2
  fi
  if [ ! -f .tmp/saml-schemas/saml-schema-protocol-2.0.xsd ]; then
    say "unpacking the SAML 2.0 XSDs from the pysaml2 wheel"
    mkdir -p .tmp/saml-schemas .tmp/wheel
    python3 -m pip download --quiet --disable-pip-version-check --no-deps -d .tmp/wheel pysaml2==7.5.5
    python3 - <<'PY'
import glob, zipfile, os
whl = glob.glob('.tmp/wheel/pysaml2-7.5.5-*.whl')[0]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.startswith('saml2/data/schemas/') and name.endswith('.xsd'):
            with open(os.path.join('.tmp/saml-schemas', os.path.basename(name)), 'wb') as f:
                f.write(z.read(name))
PY
  fi
fi

if [ "${1:-}" = browser ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian chromium"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
fi

# The consumer tests' other two browsers (tests/support/browsers.mjs): Debian's
# Firefox ESR (driven over WebDriver BiDi by puppeteer-core) and WebKitGTK's
# WebKitWebDriver with its MiniBrowser, which runs under Xvfb.
if [ "${1:-}" = browser ]; then
  missing=""
  [ -x /usr/bin/firefox-esr ] || missing="$missing firefox-esr"
  [ -x /usr/bin/WebKitWebDriver ] || missing="$missing webkit2gtk-driver"
  command -v Xvfb >/dev/null || missing="$missing xvfb"
  # xmlsec1 signs the federation aggregates of tests/js/edge-worker-idps.test.mjs
  # at test time (an independent signer; the base image has only libxmlsec1).
  command -v xmlsec1 >/dev/null || missing="$missing xmlsec1"
  if [ -n "$missing" ]; then
    say "installing Debian$missing"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
  fi
fi
