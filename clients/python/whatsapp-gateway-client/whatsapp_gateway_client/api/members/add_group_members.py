from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.add_group_members_request import AddGroupMembersRequest
from ...models.add_results import AddResults
from ...models.forbidden_body import ForbiddenBody
from ...models.gateway_message import GatewayMessage
from ...models.idempotency_mismatch_body import IdempotencyMismatchBody
from ...models.internal_body import InternalBody
from ...models.not_connected_body import NotConnectedBody
from ...models.not_found_body import NotFoundBody
from ...models.payload_too_large_body import PayloadTooLargeBody
from ...models.rate_limited_body import RateLimitedBody
from ...models.request_in_progress_body import RequestInProgressBody
from ...models.unauthorized_body import UnauthorizedBody
from ...models.unavailable_body import UnavailableBody
from ...models.upstream_timeout_body import UpstreamTimeoutBody
from ...models.upstream_unavailable_body import UpstreamUnavailableBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    session: str,
    gid: str,
    *,
    body: AddGroupMembersRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/sessions/{session}/groups/{gid}/members".format(
            session=quote(str(session), safe=""),
            gid=quote(str(gid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    if response.status_code == 200:
        response_200 = AddResults.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ValidationErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = UnauthorizedBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ForbiddenBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(data: object) -> GatewayMessage | NotFoundBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_404_type_0 = NotFoundBody.from_dict(data)

                return response_404_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_404_type_1 = GatewayMessage.from_dict(data)

            return response_404_type_1

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = RequestInProgressBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:

        def _parse_response_413(data: object) -> GatewayMessage | PayloadTooLargeBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_413_type_0 = PayloadTooLargeBody.from_dict(data)

                return response_413_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_413_type_1 = GatewayMessage.from_dict(data)

            return response_413_type_1

        response_413 = _parse_response_413(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = IdempotencyMismatchBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:

        def _parse_response_429(data: object) -> GatewayMessage | RateLimitedBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_429_type_0 = RateLimitedBody.from_dict(data)

                return response_429_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_429_type_1 = GatewayMessage.from_dict(data)

            return response_429_type_1

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(data: object) -> GatewayMessage | InternalBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_500_type_0 = InternalBody.from_dict(data)

                return response_500_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_500_type_1 = GatewayMessage.from_dict(data)

            return response_500_type_1

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 501:
        response_501 = NotConnectedBody.from_dict(response.json())

        return response_501

    if response.status_code == 502:
        response_502 = UpstreamUnavailableBody.from_dict(response.json())

        return response_502

    if response.status_code == 503:

        def _parse_response_503(data: object) -> GatewayMessage | UnavailableBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_503_type_0 = UnavailableBody.from_dict(data)

                return response_503_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_503_type_1 = GatewayMessage.from_dict(data)

            return response_503_type_1

        response_503 = _parse_response_503(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = UpstreamTimeoutBody.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    session: str,
    gid: str,
    *,
    client: AuthenticatedClient | Client,
    body: AddGroupMembersRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
]:
    """Add people to a group

     Adds the listed people to the group on WhatsApp and answers 200 with one result per
    requested participant, in request order, whatever WhatsApp decided for each (see
    `AddResult`): a participant is never reported `added` unless WhatsApp added them.
    `added` counts the results with status `added`, `notAdded` all the others. Those added
    are stored at once (`listGroupMembers`, `participantCount`; should storing fail, the
    answer stands and WhatsApp's own report of the change stores them shortly after).
    Capability `send`; the group must be stored (else 404) and the session connected (else
    501); on a group the session's account left, 403 `not_a_participant` without calling
    WhatsApp.

    WhatsApp's rules apply: adding needs the session's account to be a group admin, unless
    the group lets every member add (403 `not_group_admin`). A person whose privacy settings
    allow only an invitation is `invite_required`, with the invitation WhatsApp issued
    (`invite`) when it did; with `onPrivacyBlock: "invite"` WhatsApp sends them that
    invitation (`invite_sent`).

    **Pacing**: a session adds at most 60 people per minute by default (fixed windows; a
    deployment may set another budget). Every listed participant counts, whatever WhatsApp
    then answers; a request is let through while the window's count is below the budget,
    so one large request is never refused for good. Over it, 429 `rate_limited` with
    `details.scope: "session"` and `Retry-After`, without calling WhatsApp.

    **Not idempotent** by itself. An `Idempotency-Key` makes retries safe, exactly as for
    `createGroup`: kept 24 hours in the caller's organization; a retry with the same key,
    the same path and the same body (byte for byte) answers what the first call answered,
    with `Idempotent-Replayed: true`, for a success and for a refusal of the request itself
    (a 4xx other than 429); after a 429 or a 5xx the retry runs again, and the connection
    service, which acts at most once per key and request, answers it what it did the first
    time. The same key with another path or body is a 422 `idempotency_mismatch`; while the
    first call is still running, a retry gets 409 `request_in_progress` with `Retry-After`.
    The key is looked at right after the body's size, as for `createGroup`.

    After a 504 `upstream_timeout` the outcome is unknown (as for `createGroup`): some or
    all may have been added. Retry with the same `Idempotency-Key` to get what the first
    call did, or read `listGroupMembers`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        idempotency_key (str | Unset):
        body (AddGroupMembersRequest): A field that is present must have a value of its type:
            `null` is refused, as are
            unknown fields.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddResults | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        gid=gid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    session: str,
    gid: str,
    *,
    client: AuthenticatedClient | Client,
    body: AddGroupMembersRequest,
    idempotency_key: str | Unset = UNSET,
) -> (
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    """Add people to a group

     Adds the listed people to the group on WhatsApp and answers 200 with one result per
    requested participant, in request order, whatever WhatsApp decided for each (see
    `AddResult`): a participant is never reported `added` unless WhatsApp added them.
    `added` counts the results with status `added`, `notAdded` all the others. Those added
    are stored at once (`listGroupMembers`, `participantCount`; should storing fail, the
    answer stands and WhatsApp's own report of the change stores them shortly after).
    Capability `send`; the group must be stored (else 404) and the session connected (else
    501); on a group the session's account left, 403 `not_a_participant` without calling
    WhatsApp.

    WhatsApp's rules apply: adding needs the session's account to be a group admin, unless
    the group lets every member add (403 `not_group_admin`). A person whose privacy settings
    allow only an invitation is `invite_required`, with the invitation WhatsApp issued
    (`invite`) when it did; with `onPrivacyBlock: "invite"` WhatsApp sends them that
    invitation (`invite_sent`).

    **Pacing**: a session adds at most 60 people per minute by default (fixed windows; a
    deployment may set another budget). Every listed participant counts, whatever WhatsApp
    then answers; a request is let through while the window's count is below the budget,
    so one large request is never refused for good. Over it, 429 `rate_limited` with
    `details.scope: "session"` and `Retry-After`, without calling WhatsApp.

    **Not idempotent** by itself. An `Idempotency-Key` makes retries safe, exactly as for
    `createGroup`: kept 24 hours in the caller's organization; a retry with the same key,
    the same path and the same body (byte for byte) answers what the first call answered,
    with `Idempotent-Replayed: true`, for a success and for a refusal of the request itself
    (a 4xx other than 429); after a 429 or a 5xx the retry runs again, and the connection
    service, which acts at most once per key and request, answers it what it did the first
    time. The same key with another path or body is a 422 `idempotency_mismatch`; while the
    first call is still running, a retry gets 409 `request_in_progress` with `Retry-After`.
    The key is looked at right after the body's size, as for `createGroup`.

    After a 504 `upstream_timeout` the outcome is unknown (as for `createGroup`): some or
    all may have been added. Retry with the same `Idempotency-Key` to get what the first
    call did, or read `listGroupMembers`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        idempotency_key (str | Unset):
        body (AddGroupMembersRequest): A field that is present must have a value of its type:
            `null` is refused, as are
            unknown fields.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddResults | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return sync_detailed(
        session=session,
        gid=gid,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    session: str,
    gid: str,
    *,
    client: AuthenticatedClient | Client,
    body: AddGroupMembersRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
]:
    """Add people to a group

     Adds the listed people to the group on WhatsApp and answers 200 with one result per
    requested participant, in request order, whatever WhatsApp decided for each (see
    `AddResult`): a participant is never reported `added` unless WhatsApp added them.
    `added` counts the results with status `added`, `notAdded` all the others. Those added
    are stored at once (`listGroupMembers`, `participantCount`; should storing fail, the
    answer stands and WhatsApp's own report of the change stores them shortly after).
    Capability `send`; the group must be stored (else 404) and the session connected (else
    501); on a group the session's account left, 403 `not_a_participant` without calling
    WhatsApp.

    WhatsApp's rules apply: adding needs the session's account to be a group admin, unless
    the group lets every member add (403 `not_group_admin`). A person whose privacy settings
    allow only an invitation is `invite_required`, with the invitation WhatsApp issued
    (`invite`) when it did; with `onPrivacyBlock: "invite"` WhatsApp sends them that
    invitation (`invite_sent`).

    **Pacing**: a session adds at most 60 people per minute by default (fixed windows; a
    deployment may set another budget). Every listed participant counts, whatever WhatsApp
    then answers; a request is let through while the window's count is below the budget,
    so one large request is never refused for good. Over it, 429 `rate_limited` with
    `details.scope: "session"` and `Retry-After`, without calling WhatsApp.

    **Not idempotent** by itself. An `Idempotency-Key` makes retries safe, exactly as for
    `createGroup`: kept 24 hours in the caller's organization; a retry with the same key,
    the same path and the same body (byte for byte) answers what the first call answered,
    with `Idempotent-Replayed: true`, for a success and for a refusal of the request itself
    (a 4xx other than 429); after a 429 or a 5xx the retry runs again, and the connection
    service, which acts at most once per key and request, answers it what it did the first
    time. The same key with another path or body is a 422 `idempotency_mismatch`; while the
    first call is still running, a retry gets 409 `request_in_progress` with `Retry-After`.
    The key is looked at right after the body's size, as for `createGroup`.

    After a 504 `upstream_timeout` the outcome is unknown (as for `createGroup`): some or
    all may have been added. Retry with the same `Idempotency-Key` to get what the first
    call did, or read `listGroupMembers`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        idempotency_key (str | Unset):
        body (AddGroupMembersRequest): A field that is present must have a value of its type:
            `null` is refused, as are
            unknown fields.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddResults | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        gid=gid,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    session: str,
    gid: str,
    *,
    client: AuthenticatedClient | Client,
    body: AddGroupMembersRequest,
    idempotency_key: str | Unset = UNSET,
) -> (
    AddResults
    | ForbiddenBody
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | RateLimitedBody
    | GatewayMessage
    | UnavailableBody
    | IdempotencyMismatchBody
    | NotConnectedBody
    | RequestInProgressBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    """Add people to a group

     Adds the listed people to the group on WhatsApp and answers 200 with one result per
    requested participant, in request order, whatever WhatsApp decided for each (see
    `AddResult`): a participant is never reported `added` unless WhatsApp added them.
    `added` counts the results with status `added`, `notAdded` all the others. Those added
    are stored at once (`listGroupMembers`, `participantCount`; should storing fail, the
    answer stands and WhatsApp's own report of the change stores them shortly after).
    Capability `send`; the group must be stored (else 404) and the session connected (else
    501); on a group the session's account left, 403 `not_a_participant` without calling
    WhatsApp.

    WhatsApp's rules apply: adding needs the session's account to be a group admin, unless
    the group lets every member add (403 `not_group_admin`). A person whose privacy settings
    allow only an invitation is `invite_required`, with the invitation WhatsApp issued
    (`invite`) when it did; with `onPrivacyBlock: "invite"` WhatsApp sends them that
    invitation (`invite_sent`).

    **Pacing**: a session adds at most 60 people per minute by default (fixed windows; a
    deployment may set another budget). Every listed participant counts, whatever WhatsApp
    then answers; a request is let through while the window's count is below the budget,
    so one large request is never refused for good. Over it, 429 `rate_limited` with
    `details.scope: "session"` and `Retry-After`, without calling WhatsApp.

    **Not idempotent** by itself. An `Idempotency-Key` makes retries safe, exactly as for
    `createGroup`: kept 24 hours in the caller's organization; a retry with the same key,
    the same path and the same body (byte for byte) answers what the first call answered,
    with `Idempotent-Replayed: true`, for a success and for a refusal of the request itself
    (a 4xx other than 429); after a 429 or a 5xx the retry runs again, and the connection
    service, which acts at most once per key and request, answers it what it did the first
    time. The same key with another path or body is a 422 `idempotency_mismatch`; while the
    first call is still running, a retry gets 409 `request_in_progress` with `Retry-After`.
    The key is looked at right after the body's size, as for `createGroup`.

    After a 504 `upstream_timeout` the outcome is unknown (as for `createGroup`): some or
    all may have been added. Retry with the same `Idempotency-Key` to get what the first
    call did, or read `listGroupMembers`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        idempotency_key (str | Unset):
        body (AddGroupMembersRequest): A field that is present must have a value of its type:
            `null` is refused, as are
            unknown fields.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddResults | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return (
        await asyncio_detailed(
            session=session,
            gid=gid,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
