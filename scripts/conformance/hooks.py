"""Schemathesis hooks for scripts/conformance.sh.

The run authenticates as the guests listed in the WFC document that
conformance.sh writes (their tokens come from `POST /api/v1/auth/guest`).
`POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout` revoke the token
they are called with, so a successful call with one of those tokens would turn
every later request of that identity into a 401 and hide the rest of the API.
Before such a call, the identity's token is swapped for the token of a fresh
guest: both operations are still exercised with a valid token, and the
identities stay usable. Requests sent without a token, or with a token that
is not one of the identities' (schemathesis's auth checks), are left alone.
"""

from __future__ import annotations

import os

import requests
import schemathesis

BASE_URL = os.environ["CONFORMANCE_BASE_URL"].rstrip("/")
IDENTITY_HEADERS = frozenset(f"Bearer {token}" for token in os.environ["CONFORMANCE_TOKENS"].split())
REVOKING_OPERATIONS = frozenset({"POST /api/v1/auth/refresh", "POST /api/v1/auth/logout"})


def _fresh_guest_token() -> str:
    response = requests.post(f"{BASE_URL}/api/v1/auth/guest", timeout=10)
    if response.status_code != 201:
        raise RuntimeError(
            f"guest sign-in for a disposable token answered {response.status_code}: {response.text[:200]}"
            " (start the server with a high GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE)"
        )
    return response.json()["access_token"]


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.label not in REVOKING_OPERATIONS or case.headers is None:
        return
    for name in list(case.headers):
        if name.lower() == "authorization" and case.headers[name] in IDENTITY_HEADERS:
            case.headers[name] = f"Bearer {_fresh_guest_token()}"
