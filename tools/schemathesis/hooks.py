"""Schemathesis hooks for `make conformance` (loaded by schemathesis.toml's `hooks`).

Only for places where a check cannot apply, each as narrow as the rule it stands for: the
check still runs, and only the one failure the rule explains is dropped (the run's summary
counts dropped failures).
"""

import schemathesis


def _canonical(jid):
    """A user JID as the gateway stores it: the legacy `@c.us` is `@s.whatsapp.net`."""
    user, _, server = jid.partition("@")
    return f"{user}@s.whatsapp.net" if server == "c.us" else jid


# The operations whose body lists `participants` (CreateGroupRequest, AddGroupMembersRequest).
WITH_PARTICIPANTS = {
    ("POST", "/api/v1/sessions/{session}/groups"),  # createGroup
    ("POST", "/api/v1/sessions/{session}/groups/{gid}/members"),  # addGroupMembers
}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    # createGroup's and addGroupMembers' `participants` must be distinct once `@c.us` reads as
    # `@s.whatsapp.net` (contract: "1-1023 distinct user JIDs (distinct once `@c.us` is read as
    # `@s.whatsapp.net`)"; "the legacy <digits>@c.us is accepted and stored as @s.whatsapp.net").
    # JSON Schema's `uniqueItems` compares the strings as sent, so
    # ["0@s.whatsapp.net", "0@c.us"] is schema-valid and yet rightly a 400: the positive-data
    # check cannot apply to such a body, and only to such a body.
    operation = case.operation
    if (operation.method.upper(), operation.path) not in WITH_PARTICIPANTS:
        return True
    if "positive_data_acceptance" not in getattr(failure, "checks", ()) or response.status_code != 400:
        return True
    participants = case.body.get("participants") if isinstance(case.body, dict) else None
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        return True
    canonical = [_canonical(p) for p in participants]
    duplicates_after_normalising = len(set(canonical)) < len(canonical)
    return not duplicates_after_normalising
