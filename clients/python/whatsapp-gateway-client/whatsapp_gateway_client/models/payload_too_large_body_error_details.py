from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PayloadTooLargeBodyErrorDetails")


@_attrs_define
class PayloadTooLargeBodyErrorDetails:
    """
    Attributes:
        limit (Literal[65536]):
    """

    limit: Literal[65536]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "limit": limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        limit = cast(Literal[65536], d.pop("limit"))
        if limit != 65536:
            raise ValueError(f"limit must match const 65536, got '{limit}'")

        payload_too_large_body_error_details = cls(
            limit=limit,
        )

        payload_too_large_body_error_details.additional_properties = d
        return payload_too_large_body_error_details

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
