from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.forbidden_body import ForbiddenBody
from ...models.gateway_message import GatewayMessage
from ...models.internal_body import InternalBody
from ...models.not_connected_body import NotConnectedBody
from ...models.not_found_body import NotFoundBody
from ...models.payload_too_large_body import PayloadTooLargeBody
from ...models.rate_limited_body import RateLimitedBody
from ...models.unauthorized_body import UnauthorizedBody
from ...models.unavailable_body import UnavailableBody
from ...models.upstream_timeout_body import UpstreamTimeoutBody
from ...models.upstream_unavailable_body import UpstreamUnavailableBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import Response


def _get_kwargs(
    session: str,
    gid: str,
    jid: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/sessions/{session}/groups/{gid}/members/{jid}/demote".format(
            session=quote(str(session), safe=""),
            gid=quote(str(gid), safe=""),
            jid=quote(str(jid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    Any
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
    | NotConnectedBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
    Any
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
    | NotConnectedBody
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
    jid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
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
    | NotConnectedBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
]:
    """Make a group admin a plain member

     Takes the member's admin rights away on WhatsApp, then stores the new role (as for
    `removeGroupMember`). Capability `send`; the group must be stored (else 404) and the session
    connected (else 501); on a group the session's account left, 403 `not_a_participant` without
    calling WhatsApp. No request body (one that is sent is not read).

    WhatsApp decides, not the stored role (it may lag behind a change made on a phone):
    demoting needs the session's account to be a group admin (403 `not_group_admin`);
    nobody demotes the group's superadmin, its creator (403 `not_allowed`); demoting a plain
    member changes nothing and answers 204, so a repeat is safe; a JID that WhatsApp says is
    not a participant is a 404.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        jid (str): A user JID; the legacy `<digits>@c.us` is accepted and stored as
            `<digits>@s.whatsapp.net`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | NotConnectedBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        gid=gid,
        jid=jid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    session: str,
    gid: str,
    jid: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
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
    | NotConnectedBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    """Make a group admin a plain member

     Takes the member's admin rights away on WhatsApp, then stores the new role (as for
    `removeGroupMember`). Capability `send`; the group must be stored (else 404) and the session
    connected (else 501); on a group the session's account left, 403 `not_a_participant` without
    calling WhatsApp. No request body (one that is sent is not read).

    WhatsApp decides, not the stored role (it may lag behind a change made on a phone):
    demoting needs the session's account to be a group admin (403 `not_group_admin`);
    nobody demotes the group's superadmin, its creator (403 `not_allowed`); demoting a plain
    member changes nothing and answers 204, so a repeat is safe; a JID that WhatsApp says is
    not a participant is a 404.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        jid (str): A user JID; the legacy `<digits>@c.us` is accepted and stored as
            `<digits>@s.whatsapp.net`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | NotConnectedBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return sync_detailed(
        session=session,
        gid=gid,
        jid=jid,
        client=client,
    ).parsed


async def asyncio_detailed(
    session: str,
    gid: str,
    jid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
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
    | NotConnectedBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
]:
    """Make a group admin a plain member

     Takes the member's admin rights away on WhatsApp, then stores the new role (as for
    `removeGroupMember`). Capability `send`; the group must be stored (else 404) and the session
    connected (else 501); on a group the session's account left, 403 `not_a_participant` without
    calling WhatsApp. No request body (one that is sent is not read).

    WhatsApp decides, not the stored role (it may lag behind a change made on a phone):
    demoting needs the session's account to be a group admin (403 `not_group_admin`);
    nobody demotes the group's superadmin, its creator (403 `not_allowed`); demoting a plain
    member changes nothing and answers 204, so a repeat is safe; a JID that WhatsApp says is
    not a participant is a 404.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        jid (str): A user JID; the legacy `<digits>@c.us` is accepted and stored as
            `<digits>@s.whatsapp.net`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | NotConnectedBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
        gid=gid,
        jid=jid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    session: str,
    gid: str,
    jid: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
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
    | NotConnectedBody
    | UnauthorizedBody
    | UpstreamTimeoutBody
    | UpstreamUnavailableBody
    | ValidationErrorBody
    | None
):
    """Make a group admin a plain member

     Takes the member's admin rights away on WhatsApp, then stores the new role (as for
    `removeGroupMember`). Capability `send`; the group must be stored (else 404) and the session
    connected (else 501); on a group the session's account left, 403 `not_a_participant` without
    calling WhatsApp. No request body (one that is sent is not read).

    WhatsApp decides, not the stored role (it may lag behind a change made on a phone):
    demoting needs the session's account to be a group admin (403 `not_group_admin`);
    nobody demotes the group's superadmin, its creator (403 `not_allowed`); demoting a plain
    member changes nothing and answers 204, so a repeat is safe; a JID that WhatsApp says is
    not a participant is a 404.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.
        gid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        jid (str): A user JID; the legacy `<digits>@c.us` is accepted and stored as
            `<digits>@s.whatsapp.net`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ForbiddenBody | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | RateLimitedBody | GatewayMessage | UnavailableBody | NotConnectedBody | UnauthorizedBody | UpstreamTimeoutBody | UpstreamUnavailableBody | ValidationErrorBody
    """

    return (
        await asyncio_detailed(
            session=session,
            gid=gid,
            jid=jid,
            client=client,
        )
    ).parsed
