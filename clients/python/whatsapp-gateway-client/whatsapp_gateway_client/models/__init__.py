"""Contains all the data models used in inputs/outputs"""

from .create_group_request import CreateGroupRequest
from .error import Error
from .error_code import ErrorCode
from .error_error import ErrorError
from .error_error_details import ErrorErrorDetails
from .field_error import FieldError
from .forbidden_body import ForbiddenBody
from .forbidden_body_error import ForbiddenBodyError
from .forbidden_body_error_details import ForbiddenBodyErrorDetails
from .gateway_message import GatewayMessage
from .group import Group
from .group_list import GroupList
from .idempotency_mismatch_body import IdempotencyMismatchBody
from .idempotency_mismatch_body_error import IdempotencyMismatchBodyError
from .internal_body import InternalBody
from .internal_body_error import InternalBodyError
from .maybe_partial import MaybePartial
from .not_connected_body import NotConnectedBody
from .not_connected_body_error import NotConnectedBodyError
from .not_found_body import NotFoundBody
from .not_found_body_error import NotFoundBodyError
from .partial_update import PartialUpdate
from .payload_too_large_body import PayloadTooLargeBody
from .payload_too_large_body_error import PayloadTooLargeBodyError
from .payload_too_large_body_error_details import PayloadTooLargeBodyErrorDetails
from .rate_limited_body import RateLimitedBody
from .rate_limited_body_error import RateLimitedBodyError
from .rate_limited_body_error_details import RateLimitedBodyErrorDetails
from .request_in_progress_body import RequestInProgressBody
from .request_in_progress_body_error import RequestInProgressBodyError
from .request_in_progress_body_error_details import RequestInProgressBodyErrorDetails
from .unauthorized_body import UnauthorizedBody
from .unauthorized_body_error import UnauthorizedBodyError
from .unavailable_body import UnavailableBody
from .unavailable_body_error import UnavailableBodyError
from .unavailable_body_error_details import UnavailableBodyErrorDetails
from .update_field import UpdateField
from .update_group_request import UpdateGroupRequest
from .upstream_timeout_body import UpstreamTimeoutBody
from .upstream_timeout_body_error import UpstreamTimeoutBodyError
from .upstream_unavailable_body import UpstreamUnavailableBody
from .upstream_unavailable_body_error import UpstreamUnavailableBodyError
from .validation_error_body import ValidationErrorBody
from .validation_error_body_error import ValidationErrorBodyError
from .validation_error_body_error_details import ValidationErrorBodyErrorDetails

__all__ = (
    "CreateGroupRequest",
    "Error",
    "ErrorCode",
    "ErrorError",
    "ErrorErrorDetails",
    "FieldError",
    "ForbiddenBody",
    "ForbiddenBodyError",
    "ForbiddenBodyErrorDetails",
    "GatewayMessage",
    "Group",
    "GroupList",
    "IdempotencyMismatchBody",
    "IdempotencyMismatchBodyError",
    "InternalBody",
    "InternalBodyError",
    "MaybePartial",
    "NotConnectedBody",
    "NotConnectedBodyError",
    "NotFoundBody",
    "NotFoundBodyError",
    "PartialUpdate",
    "PayloadTooLargeBody",
    "PayloadTooLargeBodyError",
    "PayloadTooLargeBodyErrorDetails",
    "RateLimitedBody",
    "RateLimitedBodyError",
    "RateLimitedBodyErrorDetails",
    "RequestInProgressBody",
    "RequestInProgressBodyError",
    "RequestInProgressBodyErrorDetails",
    "UnauthorizedBody",
    "UnauthorizedBodyError",
    "UnavailableBody",
    "UnavailableBodyError",
    "UnavailableBodyErrorDetails",
    "UpdateField",
    "UpdateGroupRequest",
    "UpstreamTimeoutBody",
    "UpstreamTimeoutBodyError",
    "UpstreamUnavailableBody",
    "UpstreamUnavailableBodyError",
    "ValidationErrorBody",
    "ValidationErrorBodyError",
    "ValidationErrorBodyErrorDetails",
)
