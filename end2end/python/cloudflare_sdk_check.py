"""Drives Sharewell's Cloudflare face with the official, unmodified Python SDK (`cloudflare` 5.9.0).

Run by end2end/tests/cloudflare-python.test.mjs against a real `sharewell serve`, which passes
the base URL, API tokens and account ids in the environment (see the `ENV` names below). The
Python SDK differs from the npm one in ways the face has to absorb: `recipients.create` sends
`{"account_id": ...}` (not `body_account_id`), every request, GET and DELETE included, carries
`Content-Type: application/json`, and timestamps are parsed into `datetime`.

Prints one `ok - ...` line per check; any failure prints `FAIL - ...` and exits 1.
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from datetime import datetime
from typing import Any, Callable, TypeVar

import cloudflare
from cloudflare import Cloudflare

T = TypeVar("T")

ENV = {
    "base_url": "SHAREWELL_CF_BASE_URL",
    "token": "SHAREWELL_CF_TOKEN",
    "account": "SHAREWELL_CF_ACCOUNT",
    "organization": "SHAREWELL_CF_ORGANIZATION",
    "recipient": "SHAREWELL_CF_RECIPIENT",
    "recipient_token": "SHAREWELL_CF_RECIPIENT_TOKEN",
    "second_recipient": "SHAREWELL_CF_SECOND_RECIPIENT",
    "foreign_token": "SHAREWELL_CF_FOREIGN_TOKEN",
    "foreign_account": "SHAREWELL_CF_FOREIGN_ACCOUNT",
}


def setting(name: str) -> str:
    value = os.environ.get(ENV[name])
    if not value:
        fail(f"environment variable {ENV[name]} is not set")
    return value


def fail(message: str) -> None:
    print(f"FAIL - {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def check(name: str, condition: bool, detail: Any = "") -> None:
    if not condition:
        fail(f"{name}: {detail!r}" if detail != "" else name)
    print(f"ok - {name}", flush=True)


def eventually(probe: Callable[[], T], name: str, attempts: int = 50, delay: float = 0.1) -> T:
    """Retries `probe` until it returns a truthy value: the face's worker completes within a second."""
    last: Any = None
    for _ in range(attempts):
        try:
            last = probe()
            if last:
                return last
        except cloudflare.APIStatusError as error:
            last = error
        time.sleep(delay)
    fail(f"{name}: never happened (last: {last!r})")
    raise AssertionError("unreachable")


def raises(name: str, error_class: type, status: int, call: Callable[[], Any]) -> None:
    try:
        call()
    except error_class as error:
        body = error.body if isinstance(error.body, dict) else {}
        errors = body.get("errors") or []
        check(
            name,
            error.status_code == status
            and body.get("success") is False
            and bool(errors)
            and isinstance(errors[0].get("code"), int)
            and isinstance(errors[0].get("message"), str),
            (error.status_code, error.body),
        )
        return
    except cloudflare.APIStatusError as error:
        fail(f"{name}: expected {error_class.__name__}, got {type(error).__name__} {error.status_code} {error.body!r}")
    fail(f"{name}: expected {error_class.__name__}, but the call succeeded")


def random_hex() -> str:
    return uuid.uuid4().hex


def main() -> None:
    base_url = setting("base_url")
    account = setting("account")
    organization = setting("organization")
    recipient = setting("recipient")
    second_recipient = setting("second_recipient")
    foreign_account = setting("foreign_account")

    # No retries: the SDK retries 408, 409, 429 and 5xx, which would hide an intermittent error.
    client = Cloudflare(api_token=setting("token"), base_url=base_url, max_retries=0)
    recipient_client = Cloudflare(
        api_token=setting("recipient_token"), base_url=base_url, max_retries=0
    )
    foreign_client = Cloudflare(api_token=setting("foreign_token"), base_url=base_url, max_retries=0)
    shares = client.resource_sharing

    def resource(resource_type: Any = "custom-ruleset", meta: Any = None) -> Any:
        return {
            "resource_account_id": account,
            "resource_id": random_hex(),
            "resource_type": resource_type,
            "meta": meta if meta is not None else {"ruleset": "block-bots"},
        }

    # --- shares: create, get, update -------------------------------------------------------
    first_resource = resource("custom-ruleset", {"ruleset": "block-bots"})
    share = shares.create(
        account_id=account,
        name="Python: firewall rules",
        recipients=[{"recipient_account_id": recipient}],
        resources=[first_resource],
    )
    check("create returns the share", share is not None and len(share.id) == 32, share)
    assert share is not None
    check("create: account_id is the owner account", share.account_id == account, share.account_id)
    check("create: organization_id is the organization", share.organization_id == organization, share.organization_id)
    check("create: status active, target account, kind sent",
          (share.status, share.target_type, share.kind) == ("active", "account", "sent"), share)
    check("create: created/modified parse as datetimes",
          isinstance(share.created, datetime) and isinstance(share.modified, datetime),
          (share.created, share.modified))

    raw = shares.with_raw_response.create(
        account_id=account,
        name="Python: raw create",
        recipients=[{"account_id": recipient}],
        resources=[resource()],
    )
    check("create answers 201", raw.status_code == 201, raw.status_code)
    raw_share = raw.parse()
    check("create with the legacy account_id recipient key", raw_share is not None and raw_share.target_type == "account")

    got = shares.get(share.id, account_id=account, include_resources=True, include_recipient_counts=True)
    assert got is not None
    check("get: same share", got.id == share.id and got.name == "Python: firewall rules", got)
    check("get: include_resources lists the resource",
          got.resources is not None and len(got.resources) == 1
          and got.resources[0].resource_id == first_resource["resource_id"]
          and got.resources[0].resource_version == 1
          and got.resources[0].meta == {"ruleset": "block-bots"},
          got.resources)
    check("get: include_recipient_counts gives counts",
          isinstance(got.associated_recipient_count, int) and isinstance(got.associating_recipient_count, int),
          got)
    plain = shares.get(share.id, account_id=account)
    assert plain is not None
    check("get: no resources or counts unless asked", plain.resources is None and plain.associated_recipient_count is None, plain)

    def all_associated() -> bool:
        counted = shares.get(share.id, account_id=account, include_recipient_counts=True)
        return counted is not None and counted.associated_recipient_count == 1 and counted.associating_recipient_count == 0

    eventually(all_associated, "the recipient becomes associated")
    check("get: the recipient becomes associated", True)

    renamed = shares.update(share.id, account_id=account, name="Python: renamed")
    check("update renames", renamed is not None and renamed.id == share.id and renamed.name == "Python: renamed", renamed)

    # --- shares: list with auto-iteration and filters ----------------------------------------
    prefix = f"Python paged {random_hex()[:6]}"
    names = []
    for n in (3, 1, 4, 2):
        created = shares.create(account_id=account, name=f"{prefix} {n}",
                                recipients=[{"account_id": recipient}], resources=[resource()])
        assert created is not None
        names.append(created.name)

    ascending = list(shares.list(account_id=account, per_page=2, order="name", direction="asc"))
    ids = [s.id for s in ascending]
    check("list: auto-iteration returns no share twice", len(ids) == len(set(ids)), ids)
    ours = [s.name for s in ascending if s.name.startswith(prefix)]
    check("list: auto-iteration over pages of 2 in name order", ours == sorted(names), ours)
    descending = [s.name for s in shares.list(account_id=account, per_page=2, order="name", direction="desc")
                  if s.name.startswith(prefix)]
    check("list: direction=desc", descending == sorted(names, reverse=True), descending)

    first_page = shares.list(account_id=account, per_page=2)
    pages = list(first_page.iter_pages())
    sizes = [len(page.result or []) for page in pages]
    check("list: pages until an empty one", len(pages) == math.ceil(len(ascending) / 2) + 1 and sizes[-1] == 0, sizes)
    info = first_page.result_info
    check("list: result_info page/per_page", info is not None and info.page == 1 and info.per_page == 2, info)

    sent = list(shares.list(account_id=account, kind="sent", status="active", target_type="account",
                            resource_types=["custom-ruleset", "gateway-policy"]))
    check("list: kind, status, target_type and repeated resource_types",
          any(s.id == share.id for s in sent) and all(s.kind == "sent" for s in sent), [s.id for s in sent])
    none = list(shares.list(account_id=account, resource_types=["trust-grant"]))
    check("list: resource_types excludes other types", not any(s.id == share.id for s in none))

    def received() -> Any:
        listed = recipient_client.resource_sharing.list(account_id=recipient, kind="received")
        return next((s for s in listed if s.id == share.id), None)

    seen = eventually(received, "the recipient lists the share")
    check("list: the recipient account sees the share as received", seen.kind == "received", seen)

    # --- recipients ------------------------------------------------------------------------
    recipients = shares.recipients
    added = recipients.create(share.id, path_account_id=account, body_account_id=second_recipient)
    check("recipients.create (body_account_id, sent as account_id)",
          added is not None and added.account_id == second_recipient and added.association_status == "associating",
          added)
    assert added is not None
    check("recipients.create: created parses as datetime", isinstance(added.created, datetime))

    listed = list(recipients.list(share.id, account_id=account, per_page=1))
    check("recipients.list: auto-iteration over pages of 1",
          sorted(r.account_id for r in listed) == sorted([recipient, second_recipient]), listed)

    def associated() -> Any:
        one = recipients.get(added.id, account_id=account, share_id=share.id)
        return one if one is not None and one.association_status == "associated" else None

    eventually(associated, "the new recipient becomes associated")
    check("recipients.get: associated", True)

    removed = recipients.delete(added.id, account_id=account, share_id=share.id)
    check("recipients.delete: disassociating", removed is not None and removed.association_status == "disassociating", removed)

    def disassociated() -> bool:
        one = recipients.get(added.id, account_id=account, share_id=share.id)
        return one is not None and one.association_status == "disassociated"

    eventually(disassociated, "the removed recipient becomes disassociated")
    check("recipients.get: disassociated", True)

    # --- resources -------------------------------------------------------------------------
    resources = shares.resources
    wanted = resource("gateway-policy", {"policy": "deny-gambling"})
    made = resources.create(share.id, account_id=account, **wanted)
    check("resources.create: active, version 1",
          made is not None and made.status == "active" and made.resource_version == 1
          and made.resource_id == wanted["resource_id"] and made.meta == {"policy": "deny-gambling"},
          made)
    assert made is not None

    all_resources = list(resources.list(share.id, account_id=account, per_page=1))
    check("resources.list: auto-iteration finds both", len(all_resources) == 2, all_resources)
    policies = list(resources.list(share.id, account_id=account, resource_type="gateway-policy"))
    check("resources.list: resource_type filter", [r.id for r in policies] == [made.id], policies)

    fetched = resources.get(made.id, account_id=account, share_id=share.id)
    check("resources.get", fetched is not None and fetched.id == made.id and fetched.resource_type == "gateway-policy", fetched)

    updated = resources.update(made.id, account_id=account, share_id=share.id, meta={"policy": "deny-malware"})
    check("resources.update: version 2",
          updated is not None and updated.resource_version == 2 and updated.meta == {"policy": "deny-malware"}, updated)

    deleting = resources.delete(made.id, account_id=account, share_id=share.id)
    check("resources.delete: deleting", deleting is not None and deleting.status == "deleting", deleting)

    def resource_deleted() -> bool:
        one = resources.get(made.id, account_id=account, share_id=share.id)
        return one is not None and one.status == "deleted"

    eventually(resource_deleted, "the resource becomes deleted")
    check("resources.get: deleted", True)

    # --- errors ----------------------------------------------------------------------------
    raises("foreign caller on our account: PermissionDeniedError", cloudflare.PermissionDeniedError, 403,
           lambda: foreign_client.resource_sharing.get(share.id, account_id=account))
    raises("our share through a foreign account: NotFoundError", cloudflare.NotFoundError, 404,
           lambda: foreign_client.resource_sharing.get(share.id, account_id=foreign_account))
    raises("unknown share: NotFoundError", cloudflare.NotFoundError, 404,
           lambda: shares.get(random_hex(), account_id=account))
    raises("per_page=101: BadRequestError", cloudflare.BadRequestError, 400,
           lambda: shares.list(account_id=account, per_page=101))
    raises("unknown resource_type: BadRequestError", cloudflare.BadRequestError, 400,
           lambda: shares.create(account_id=account, name="Bad", recipients=[{"account_id": recipient}],
                                 resources=[{**resource(), "resource_type": "zone"}]))
    bad_token = Cloudflare(api_token="sw_not-a-real-token", base_url=base_url, max_retries=0)
    raises("bad token: AuthenticationError", cloudflare.AuthenticationError, 401,
           lambda: bad_token.resource_sharing.list(account_id=account))

    # --- shares: delete --------------------------------------------------------------------
    deleted = shares.delete(share.id, account_id=account)
    check("delete: deleting", deleted is not None and deleted.status == "deleting", deleted)

    def share_deleted() -> bool:
        one = shares.get(share.id, account_id=account)
        return one is not None and one.status == "deleted"

    eventually(share_deleted, "the share becomes deleted")
    check("get: deleted", True)


if __name__ == "__main__":
    main()
