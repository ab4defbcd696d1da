from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.forbidden_body import ForbiddenBody
from ...models.gateway_message import GatewayMessage
from ...models.group_sync import GroupSync
from ...models.internal_body import InternalBody
from ...models.not_found_body import NotFoundBody
from ...models.payload_too_large_body import PayloadTooLargeBody
from ...models.unauthorized_body import UnauthorizedBody
from ...models.unavailable_body import UnavailableBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import Response


def _get_kwargs(
    session: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/sessions/{session}/groups/sync".format(
            session=quote(str(session), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
    | ValidationErrorBody
    | None
):
    if response.status_code == 200:
        response_200 = GroupSync.from_dict(response.json())

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
        response_429 = GatewayMessage.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
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
) -> Response[
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
    | ValidationErrorBody
]:
    """How the session's last resync went

     The session's last sync (`syncGroups`), from stored data. Capability `read`; never needs
    a live WhatsApp connection. `state` is `running` until the connection service reports
    the sync complete, then `idle` with `completedAt` and `groupCount` (the groups the
    account was in). A sync still running 15 minutes after it was requested counts as
    failed: `idle`, with `completedAt` and `groupCount` `null`. Before the first sync,
    `state` is `idle` and every other member is `null`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ForbiddenBody | GatewayMessage | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | UnavailableBody | GroupSync | UnauthorizedBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    session: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
    | ValidationErrorBody
    | None
):
    """How the session's last resync went

     The session's last sync (`syncGroups`), from stored data. Capability `read`; never needs
    a live WhatsApp connection. `state` is `running` until the connection service reports
    the sync complete, then `idle` with `completedAt` and `groupCount` (the groups the
    account was in). A sync still running 15 minutes after it was requested counts as
    failed: `idle`, with `completedAt` and `groupCount` `null`. Before the first sync,
    `state` is `idle` and every other member is `null`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ForbiddenBody | GatewayMessage | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | UnavailableBody | GroupSync | UnauthorizedBody | ValidationErrorBody
    """

    return sync_detailed(
        session=session,
        client=client,
    ).parsed


async def asyncio_detailed(
    session: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
    | ValidationErrorBody
]:
    """How the session's last resync went

     The session's last sync (`syncGroups`), from stored data. Capability `read`; never needs
    a live WhatsApp connection. `state` is `running` until the connection service reports
    the sync complete, then `idle` with `completedAt` and `groupCount` (the groups the
    account was in). A sync still running 15 minutes after it was requested counts as
    failed: `idle`, with `completedAt` and `groupCount` `null`. Before the first sync,
    `state` is `idle` and every other member is `null`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ForbiddenBody | GatewayMessage | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | UnavailableBody | GroupSync | UnauthorizedBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        session=session,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    session: str,
    *,
    client: AuthenticatedClient | Client,
) -> (
    ForbiddenBody
    | GatewayMessage
    | GatewayMessage
    | InternalBody
    | GatewayMessage
    | NotFoundBody
    | GatewayMessage
    | PayloadTooLargeBody
    | GatewayMessage
    | UnavailableBody
    | GroupSync
    | UnauthorizedBody
    | ValidationErrorBody
    | None
):
    """How the session's last resync went

     The session's last sync (`syncGroups`), from stored data. Capability `read`; never needs
    a live WhatsApp connection. `state` is `running` until the connection service reports
    the sync complete, then `idle` with `completedAt` and `groupCount` (the groups the
    account was in). A sync still running 15 minutes after it was requested counts as
    failed: `idle`, with `completedAt` and `groupCount` `null`. Before the first sync,
    `state` is `idle` and every other member is `null`.

    Args:
        session (str): 1–64 characters of letters, digits, `_` and `-`; unique across the gateway.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ForbiddenBody | GatewayMessage | GatewayMessage | InternalBody | GatewayMessage | NotFoundBody | GatewayMessage | PayloadTooLargeBody | GatewayMessage | UnavailableBody | GroupSync | UnauthorizedBody | ValidationErrorBody
    """

    return (
        await asyncio_detailed(
            session=session,
            client=client,
        )
    ).parsed
