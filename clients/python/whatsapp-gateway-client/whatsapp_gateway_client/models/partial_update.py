from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.update_field import UpdateField

T = TypeVar("T", bound="PartialUpdate")


@_attrs_define
class PartialUpdate:
    """updateGroup only, when it stopped part way: which fields WhatsApp applied (and the
    gateway stored), which it did not get to, and the one that failed. Present with any
    error status.

        Example:
            {'applied': ['subject'], 'notApplied': ['locked'], 'failed': 'announce'}

        Attributes:
            applied (list[UpdateField]):
            not_applied (list[UpdateField]):
            failed (UpdateField):
    """

    applied: list[UpdateField]
    not_applied: list[UpdateField]
    failed: UpdateField
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applied = []
        for applied_item_data in self.applied:
            applied_item = applied_item_data.value
            applied.append(applied_item)

        not_applied = []
        for not_applied_item_data in self.not_applied:
            not_applied_item = not_applied_item_data.value
            not_applied.append(not_applied_item)

        failed = self.failed.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applied": applied,
                "notApplied": not_applied,
                "failed": failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        applied = []
        _applied = d.pop("applied")
        for applied_item_data in _applied:
            applied_item = UpdateField(applied_item_data)

            applied.append(applied_item)

        not_applied = []
        _not_applied = d.pop("notApplied")
        for not_applied_item_data in _not_applied:
            not_applied_item = UpdateField(not_applied_item_data)

            not_applied.append(not_applied_item)

        failed = UpdateField(d.pop("failed"))

        partial_update = cls(
            applied=applied,
            not_applied=not_applied,
            failed=failed,
        )

        partial_update.additional_properties = d
        return partial_update

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
