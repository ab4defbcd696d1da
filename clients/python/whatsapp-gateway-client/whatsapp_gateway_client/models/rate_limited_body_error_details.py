from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.update_field import UpdateField
from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimitedBodyErrorDetails")


@_attrs_define
class RateLimitedBodyErrorDetails:
    """
    Attributes:
        applied (list[UpdateField] | Unset):
        not_applied (list[UpdateField] | Unset):
        failed (UpdateField | Unset):
        retry_after_s (int | Unset): Seconds to wait, when known (also in `Retry-After`).
        scope (Literal['session'] | Unset): Present when the session's own pacing budget is spent (createGroup,
            addGroupMembers): WhatsApp was not called. Absent when WhatsApp
            refused for rate.
    """

    applied: list[UpdateField] | Unset = UNSET
    not_applied: list[UpdateField] | Unset = UNSET
    failed: UpdateField | Unset = UNSET
    retry_after_s: int | Unset = UNSET
    scope: Literal["session"] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applied: list[str] | Unset = UNSET
        if not isinstance(self.applied, Unset):
            applied = []
            for applied_item_data in self.applied:
                applied_item = applied_item_data.value
                applied.append(applied_item)

        not_applied: list[str] | Unset = UNSET
        if not isinstance(self.not_applied, Unset):
            not_applied = []
            for not_applied_item_data in self.not_applied:
                not_applied_item = not_applied_item_data.value
                not_applied.append(not_applied_item)

        failed: str | Unset = UNSET
        if not isinstance(self.failed, Unset):
            failed = self.failed.value

        retry_after_s = self.retry_after_s

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if applied is not UNSET:
            field_dict["applied"] = applied
        if not_applied is not UNSET:
            field_dict["notApplied"] = not_applied
        if failed is not UNSET:
            field_dict["failed"] = failed
        if retry_after_s is not UNSET:
            field_dict["retryAfterS"] = retry_after_s
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _applied = d.pop("applied", UNSET)
        applied: list[UpdateField] | Unset = UNSET
        if _applied is not UNSET:
            applied = []
            for applied_item_data in _applied:
                applied_item = UpdateField(applied_item_data)

                applied.append(applied_item)

        _not_applied = d.pop("notApplied", UNSET)
        not_applied: list[UpdateField] | Unset = UNSET
        if _not_applied is not UNSET:
            not_applied = []
            for not_applied_item_data in _not_applied:
                not_applied_item = UpdateField(not_applied_item_data)

                not_applied.append(not_applied_item)

        _failed = d.pop("failed", UNSET)
        failed: UpdateField | Unset
        if isinstance(_failed, Unset):
            failed = UNSET
        else:
            failed = UpdateField(_failed)

        retry_after_s = d.pop("retryAfterS", UNSET)

        scope = cast(Literal["session"] | Unset, d.pop("scope", UNSET))
        if scope != "session" and not isinstance(scope, Unset):
            raise ValueError(f"scope must match const 'session', got '{scope}'")

        rate_limited_body_error_details = cls(
            applied=applied,
            not_applied=not_applied,
            failed=failed,
            retry_after_s=retry_after_s,
            scope=scope,
        )

        rate_limited_body_error_details.additional_properties = d
        return rate_limited_body_error_details

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
