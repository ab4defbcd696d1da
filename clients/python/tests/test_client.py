"""The generated Python client against a running API with the demo data (organization demo-org,
session `demo` connected in the connection emulator, its stored groups).

Every answer is parsed by the generated models and must come back whole: a model's `to_dict()`
must equal the JSON the API sent, so a missing, renamed or extra field fails the test.
"""

import json
import re
import uuid

from whatsapp_gateway_client.api.groups import create_group, get_group, list_groups, update_group
from whatsapp_gateway_client.models import (
    AddResult,
    AddStatus,
    CreatedGroup,
    CreateGroupRequest,
    ForbiddenBody,
    Group,
    GroupList,
    NotFoundBody,
    UnauthorizedBody,
    UpdateGroupRequest,
    ValidationErrorBody,
)

SESSION = "demo"
STORED_GID = "120363021234567890@g.us"


def body_of(response) -> object:
    return json.loads(response.content)


def assert_group(group, raw) -> None:
    assert isinstance(group, Group), f"not a Group: {raw!r}"
    assert group.to_dict() == raw, "the API's group and the generated model differ"
    assert re.fullmatch(r"[0-9]{1,24}(-[0-9]{1,24})?@g\.us", group.group_jid)
    assert group.id >= 1


def assert_created_group(created, raw, participants) -> None:
    """createGroup's answer: the group's fields, and one result per participant, in order."""
    assert isinstance(created, CreatedGroup), f"not a CreatedGroup: {raw!r}"
    assert created.to_dict() == raw, "the API's created group and the generated model differ"
    group = {k: v for k, v in raw.items() if k != "results"}
    assert_group(Group.from_dict(group), group)
    assert [r.jid for r in created.results] == [
        p.removesuffix("@c.us") + "@s.whatsapp.net" if p.endswith("@c.us") else p for p in participants
    ]
    for result in created.results:
        assert isinstance(result, AddResult)
        assert isinstance(result.status, AddStatus)
        assert (result.status == AddStatus.FAILED) == isinstance(result.reason, str)


def assert_error(parsed, model, response, code: str) -> dict:
    """The error envelope {"error": {"code", "message", "details"}} with the given code."""
    raw = body_of(response)
    assert isinstance(parsed, model), f"not a {model.__name__}: {raw!r}"
    assert list(raw) == ["error"], raw
    assert sorted(raw["error"]) == ["code", "details", "message"], raw
    assert parsed.error.code == code
    assert isinstance(parsed.error.message, str)
    assert isinstance(raw["error"]["details"], dict)
    assert parsed.to_dict() == raw
    return raw["error"]["details"]


def test_list_groups_with_a_login_jwt(frontend):
    response = list_groups.sync_detailed(SESSION, client=frontend)
    assert response.status_code == 200, response.content
    page = response.parsed
    assert isinstance(page, GroupList)
    raw = body_of(response)
    assert sorted(raw) == ["data", "nextCursor"]
    assert page.to_dict() == raw
    assert len(page.data) >= 3
    for group, raw_group in zip(page.data, raw["data"], strict=True):
        assert_group(group, raw_group)
    jids = [g.group_jid for g in page.data]
    assert jids == sorted(jids)
    assert STORED_GID in jids


def test_list_groups_pages_follow_next_cursor(api):
    seen, cursor = [], ""
    for _ in range(20):
        kwargs = {"cursor": cursor} if cursor else {}
        response = list_groups.sync_detailed(SESSION, client=api, limit=1, **kwargs)
        assert response.status_code == 200, response.content
        page = response.parsed
        assert len(page.data) <= 1
        for group, raw_group in zip(page.data, body_of(response)["data"], strict=True):
            assert_group(group, raw_group)
        seen += [g.group_jid for g in page.data]
        cursor = page.next_cursor
        if cursor == "":
            break
    assert cursor == ""
    assert len(seen) == len(set(seen))
    assert STORED_GID in seen


def test_get_group(api):
    response = get_group.sync_detailed(SESSION, STORED_GID, client=api)
    assert response.status_code == 200, response.content
    assert_group(response.parsed, body_of(response))
    assert response.parsed.group_jid == STORED_GID
    assert response.parsed.subject == "Project Team"


def test_create_then_update_group(api):
    key = str(uuid.uuid4())
    request = CreateGroupRequest(
        name="  Client Kit (Python)  ",
        participants=["6281111111111@s.whatsapp.net", "6282222222222@c.us"],
    )
    first = create_group.sync_detailed(SESSION, client=api, body=request, idempotency_key=key)
    assert first.status_code == 201, first.content
    created = first.parsed
    assert_created_group(created, body_of(first), request.participants)
    assert created.subject == "Client Kit (Python)"
    assert created.left_at is None
    assert re.fullmatch(r"/api/v1/sessions/demo/groups/[0-9-]+(@|%40)g\.us", first.headers["Location"])

    replay = create_group.sync_detailed(SESSION, client=api, body=request, idempotency_key=key)
    assert replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert_created_group(replay.parsed, body_of(replay), request.participants)
    assert replay.parsed.group_jid == created.group_jid

    update = UpdateGroupRequest(subject="Client Kit (Python, renamed)", announce=True)
    response = update_group.sync_detailed(SESSION, created.group_jid, client=api, body=update)
    assert response.status_code == 204, response.content
    assert response.content == b""

    after = get_group.sync_detailed(SESSION, created.group_jid, client=api)
    assert after.status_code == 200
    assert_group(after.parsed, body_of(after))
    assert after.parsed.subject == "Client Kit (Python, renamed)"
    assert after.parsed.is_announce is True
    assert after.parsed.id == created.id


def test_not_found_group(api):
    response = get_group.sync_detailed(SESSION, "999999999999999999@g.us", client=api)
    assert response.status_code == 404
    assert_error(response.parsed, NotFoundBody, response, "not_found")


def test_not_found_session(api):
    response = list_groups.sync_detailed("no-such-session", client=api)
    assert response.status_code == 404
    assert_error(response.parsed, NotFoundBody, response, "not_found")


def test_validation_error_names_the_field(api):
    response = list_groups.sync_detailed(SESSION, client=api, limit=0)
    assert response.status_code == 400
    details = assert_error(response.parsed, ValidationErrorBody, response, "validation_error")
    assert details["field"] == "limit"


def test_validation_error_in_a_body(api):
    request = CreateGroupRequest(name="Bad", participants=["not-a-jid"])
    response = create_group.sync_detailed(SESSION, client=api, body=request)
    assert response.status_code == 400
    details = assert_error(response.parsed, ValidationErrorBody, response, "validation_error")
    assert details["field"] == "participants[0]"


def test_unauthorized(stranger):
    response = list_groups.sync_detailed(SESSION, client=stranger)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(response.parsed, UnauthorizedBody, response, "unauthorized")


def test_forbidden_for_a_member(member):
    request = CreateGroupRequest(name="Not allowed", participants=["6281111111111@s.whatsapp.net"])
    response = create_group.sync_detailed(SESSION, client=member, body=request)
    assert response.status_code == 403
    details = assert_error(response.parsed, ForbiddenBody, response, "forbidden")
    assert details == {"reason": "missing_capability", "required": "send"}
