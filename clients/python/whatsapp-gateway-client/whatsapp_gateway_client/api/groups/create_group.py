from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_group_request import CreateGroupRequest
from ...models.created_group import CreatedGroup
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
    *,
    body: CreateGroupRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/sessions/{session}/groups".format(
            session=quote(str(session), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    CreatedGroup
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
    if response.status_code == 201:
        response_201 = CreatedGroup.from_dict(response.json())

        return response_201

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
    CreatedGroup
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
    *,
    client: AuthenticatedClient | Client,
    body: CreateGroupRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[
    CreatedGroup
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
    """Create a WhatsApp group

     Creates a group on WhatsApp with the session's account as owner, then stores it, with
    its members: it is in `listGroups` at once. Capability `send`; the session must be
    connected (else 501). The answer is the group and, in `results`, what WhatsApp did for
    each requested participant, in request order (see `AddResult`; a participant is never
    reported `added` unless WhatsApp added them).

    **Pacing**: a session creates at most 20 groups per hour by default (fixed windows; a
    deployment may set another budget). Over it, 429 `rate_limited` with `details.scope:
    "session"` and `Retry-After`, after the session's 404 and before any call to WhatsApp.
    Every create let through counts, whatever WhatsApp then answers.

    **Not idempotent** by itself: two calls make two groups. Send an `Idempotency-Key` to make
    retries safe. Keys are scoped to the caller's organization and kept for 24 hours. A
    retry with the same key, the same session and the same body (byte for byte) makes no
    other group: it answers what the first call answered, status, body and `Location`, with
    `Idempotent-Replayed: true`, for a success and for a refusal of the request itself (a
    4xx other than 429). After a 429 or a 5xx the retry runs again, and still makes at most
    one group. The same key with another session or body is a 422 `idempotency_mismatch`;
    while the first call is still running, a retry gets 409 `request_in_progress` with
    `Retry-After`. The key is looked at right after the body's size: a key used before is
    answered so (replay, 409 or 422) before the body is validated.

    After a 504 `upstream_timeout` the outcome is unknown: the group may have been made.
    That covers every failure after the request may have reached the connection service (no
    answer in time, a broken connection, a 2xx that could not be read, a proxy's 504).
    Retry with the same `Idempotency-Key`, or look for the group in `listGroups` before
    creating it again. A 503 whose `details` has `groupJid` means the group was made on
    WhatsApp but could not be stored yet; do not create it again.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        idempotency_key (str | Unset):
        body (CreateGroupRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedGroup | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    session: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateGroupRequest,
    idempotency_key: str | Unset = UNSET,
) -> (
    CreatedGroup
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
    """Create a WhatsApp group

     Creates a group on WhatsApp with the session's account as owner, then stores it, with
    its members: it is in `listGroups` at once. Capability `send`; the session must be
    connected (else 501). The answer is the group and, in `results`, what WhatsApp did for
    each requested participant, in request order (see `AddResult`; a participant is never
    reported `added` unless WhatsApp added them).

    **Pacing**: a session creates at most 20 groups per hour by default (fixed windows; a
    deployment may set another budget). Over it, 429 `rate_limited` with `details.scope:
    "session"` and `Retry-After`, after the session's 404 and before any call to WhatsApp.
    Every create let through counts, whatever WhatsApp then answers.

    **Not idempotent** by itself: two calls make two groups. Send an `Idempotency-Key` to make
    retries safe. Keys are scoped to the caller's organization and kept for 24 hours. A
    retry with the same key, the same session and the same body (byte for byte) makes no
    other group: it answers what the first call answered, status, body and `Location`, with
    `Idempotent-Replayed: true`, for a success and for a refusal of the request itself (a
    4xx other than 429). After a 429 or a 5xx the retry runs again, and still makes at most
    one group. The same key with another session or body is a 422 `idempotency_mismatch`;
    while the first call is still running, a retry gets 409 `request_in_progress` with
    `Retry-After`. The key is looked at right after the body's size: a key used before is
    answered so (replay, 409 or 422) before the body is validated.

    After a 504 `upstream_timeout` the outcome is unknown: the group may have been made.
    That covers every failure after the request may have reached the connection service (no
    answer in time, a broken connection, a 2xx that could not be read, a proxy's 504).
    Retry with the same `Idempotency-Key`, or look for the group in `listGroups` before
    creating it again. A 503 whose `details` has `groupJid` means the group was made on
    WhatsApp but could not be stored yet; do not create it again.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        idempotency_key (str | Unset):
        body (CreateGroupRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedGroup | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return sync_detailed(
        session=session,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    session: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateGroupRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[
    CreatedGroup
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
    """Create a WhatsApp group

     Creates a group on WhatsApp with the session's account as owner, then stores it, with
    its members: it is in `listGroups` at once. Capability `send`; the session must be
    connected (else 501). The answer is the group and, in `results`, what WhatsApp did for
    each requested participant, in request order (see `AddResult`; a participant is never
    reported `added` unless WhatsApp added them).

    **Pacing**: a session creates at most 20 groups per hour by default (fixed windows; a
    deployment may set another budget). Over it, 429 `rate_limited` with `details.scope:
    "session"` and `Retry-After`, after the session's 404 and before any call to WhatsApp.
    Every create let through counts, whatever WhatsApp then answers.

    **Not idempotent** by itself: two calls make two groups. Send an `Idempotency-Key` to make
    retries safe. Keys are scoped to the caller's organization and kept for 24 hours. A
    retry with the same key, the same session and the same body (byte for byte) makes no
    other group: it answers what the first call answered, status, body and `Location`, with
    `Idempotent-Replayed: true`, for a success and for a refusal of the request itself (a
    4xx other than 429). After a 429 or a 5xx the retry runs again, and still makes at most
    one group. The same key with another session or body is a 422 `idempotency_mismatch`;
    while the first call is still running, a retry gets 409 `request_in_progress` with
    `Retry-After`. The key is looked at right after the body's size: a key used before is
    answered so (replay, 409 or 422) before the body is validated.

    After a 504 `upstream_timeout` the outcome is unknown: the group may have been made.
    That covers every failure after the request may have reached the connection service (no
    answer in time, a broken connection, a 2xx that could not be read, a proxy's 504).
    Retry with the same `Idempotency-Key`, or look for the group in `listGroups` before
    creating it again. A 503 whose `details` has `groupJid` means the group was made on
    WhatsApp but could not be stored yet; do not create it again.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        idempotency_key (str | Unset):
        body (CreateGroupRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedGroup | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    session: str,
    *,
    client: AuthenticatedClient | Client,
    body: CreateGroupRequest,
    idempotency_key: str | Unset = UNSET,
) -> (
    CreatedGroup
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
    """Create a WhatsApp group

     Creates a group on WhatsApp with the session's account as owner, then stores it, with
    its members: it is in `listGroups` at once. Capability `send`; the session must be
    connected (else 501). The answer is the group and, in `results`, what WhatsApp did for
    each requested participant, in request order (see `AddResult`; a participant is never
    reported `added` unless WhatsApp added them).

    **Pacing**: a session creates at most 20 groups per hour by default (fixed windows; a
    deployment may set another budget). Over it, 429 `rate_limited` with `details.scope:
    "session"` and `Retry-After`, after the session's 404 and before any call to WhatsApp.
    Every create let through counts, whatever WhatsApp then answers.

    **Not idempotent** by itself: two calls make two groups. Send an `Idempotency-Key` to make
    retries safe. Keys are scoped to the caller's organization and kept for 24 hours. A
    retry with the same key, the same session and the same body (byte for byte) makes no
    other group: it answers what the first call answered, status, body and `Location`, with
    `Idempotent-Replayed: true`, for a success and for a refusal of the request itself (a
    4xx other than 429). After a 429 or a 5xx the retry runs again, and still makes at most
    one group. The same key with another session or body is a 422 `idempotency_mismatch`;
    while the first call is still running, a retry gets 409 `request_in_progress` with
    `Retry-After`. The key is looked at right after the body's size: a key used before is
    answered so (replay, 409 or 422) before the body is validated.

    After a 504 `upstream_timeout` the outcome is unknown: the group may have been made.
    That covers every failure after the request may have reached the connection service (no
    answer in time, a broken connection, a 2xx that could not be read, a proxy's 504).
    Retry with the same `Idempotency-Key`, or look for the group in `listGroups` before
    creating it again. A 503 whose `details` has `groupJid` means the group was made on
    WhatsApp but could not be stored yet; do not create it again.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        idempotency_key (str | Unset):
        body (CreateGroupRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedGroup | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | IdempotencyMismatchBody | NotConnectedBody | RequestInProgressBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return (
        await asyncio_detailed(
            session=session,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
