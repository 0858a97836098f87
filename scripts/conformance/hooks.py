"""Schemathesis hooks for scripts/conformance.sh.

The run authenticates as the guests listed in the WFC document that
conformance.sh writes (their tokens come from `POST /api/v1/auth/guest`).
Two operations get another token just before they are sent, when they carry
the token of one of those guests:

- `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout` revoke the token
  they are called with, so a successful call with a guest's token would turn
  every later request of that guest into a 401 and hide the rest of the API.
  They get the token of a fresh guest instead: both are still exercised with a
  valid token, and the guests stay usable.
- The admin-only operations (every configuration endpoint, runtime config) get the admin
  token when CONFORMANCE_ADMIN_TOKEN is set; without it they are exercised as
  a guest and answer 403.

Requests sent without a token, or with a token that is not one of the guests'
(schemathesis's auth checks send those), are left alone.
"""

from __future__ import annotations

import os

import requests
import schemathesis

BASE_URL = os.environ["CONFORMANCE_BASE_URL"].rstrip("/")
GUEST_HEADERS = frozenset(f"Bearer {token}" for token in os.environ["CONFORMANCE_TOKENS"].split())
ADMIN_TOKEN = os.environ.get("CONFORMANCE_ADMIN_TOKEN", "")
REVOKING_OPERATIONS = frozenset({"POST /api/v1/auth/refresh", "POST /api/v1/auth/logout"})
# The operations whose handlers require an admin token (server/src/http/configs.rs, `admin`).
ADMIN_OPERATIONS = frozenset({
    "GET /api/v1/configs",
    "GET /api/v1/configs/{key}",
    "PUT /api/v1/configs/{key}",
    "GET /api/v1/configs/{key}/history",
    "GET /api/v1/runtime/config",
})


def _fresh_guest_token() -> str:
    response = requests.post(f"{BASE_URL}/api/v1/auth/guest", timeout=10)
    if response.status_code != 201:
        raise RuntimeError(
            f"guest sign-in for a disposable token answered {response.status_code}: {response.text[:200]}"
            " (start the server with a high GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE)"
        )
    return response.json()["access_token"]


def _replacement(label: str) -> str | None:
    if label in REVOKING_OPERATIONS:
        return _fresh_guest_token()
    if label in ADMIN_OPERATIONS and ADMIN_TOKEN:
        return ADMIN_TOKEN
    return None


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.headers is None:
        return
    for name in list(case.headers):
        if name.lower() == "authorization" and case.headers[name] in GUEST_HEADERS:
            token = _replacement(case.operation.label)
            if token is not None:
                case.headers[name] = f"Bearer {token}"
