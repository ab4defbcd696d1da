"""Contains all the data models used in inputs/outputs"""

from .add_group_members_request import AddGroupMembersRequest
from .add_result import AddResult
from .add_results import AddResults
from .add_status import AddStatus
from .create_group_request import CreateGroupRequest
from .created_group import CreatedGroup
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
from .group_invite import GroupInvite
from .group_list import GroupList
from .group_sync import GroupSync
from .idempotency_mismatch_body import IdempotencyMismatchBody
from .idempotency_mismatch_body_error import IdempotencyMismatchBodyError
from .internal_body import InternalBody
from .internal_body_error import InternalBodyError
from .invitation import Invitation
from .maybe_partial import MaybePartial
from .member import Member
from .member_list import MemberList
from .member_role import MemberRole
from .not_connected_body import NotConnectedBody
from .not_connected_body_error import NotConnectedBodyError
from .not_found_body import NotFoundBody
from .not_found_body_error import NotFoundBodyError
from .on_privacy_block import OnPrivacyBlock
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
from .sync_started import SyncStarted
from .sync_state import SyncState
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
    "AddGroupMembersRequest",
    "AddResult",
    "AddResults",
    "AddStatus",
    "CreatedGroup",
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
    "GroupInvite",
    "GroupList",
    "GroupSync",
    "IdempotencyMismatchBody",
    "IdempotencyMismatchBodyError",
    "InternalBody",
    "InternalBodyError",
    "Invitation",
    "MaybePartial",
    "Member",
    "MemberList",
    "MemberRole",
    "NotConnectedBody",
    "NotConnectedBodyError",
    "NotFoundBody",
    "NotFoundBodyError",
    "OnPrivacyBlock",
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
    "SyncStarted",
    "SyncState",
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
