from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.update_field import UpdateField
from ..types import UNSET, Unset

T = TypeVar("T", bound="ValidationErrorBodyErrorDetails")


@_attrs_define
class ValidationErrorBodyErrorDetails:
    """
    Attributes:
        applied (list[UpdateField] | Unset):
        not_applied (list[UpdateField] | Unset):
        failed (UpdateField | Unset):
    """

    applied: list[UpdateField] | Unset = UNSET
    not_applied: list[UpdateField] | Unset = UNSET
    failed: UpdateField | Unset = UNSET
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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if applied is not UNSET:
            field_dict["applied"] = applied
        if not_applied is not UNSET:
            field_dict["notApplied"] = not_applied
        if failed is not UNSET:
            field_dict["failed"] = failed

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

        validation_error_body_error_details = cls(
            applied=applied,
            not_applied=not_applied,
            failed=failed,
        )

        validation_error_body_error_details.additional_properties = d
        return validation_error_body_error_details

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
