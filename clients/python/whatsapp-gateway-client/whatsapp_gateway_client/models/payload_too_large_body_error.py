from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payload_too_large_body_error_details import PayloadTooLargeBodyErrorDetails


T = TypeVar("T", bound="PayloadTooLargeBodyError")


@_attrs_define
class PayloadTooLargeBodyError:
    """
    Attributes:
        code (Literal['payload_too_large'] | Unset):
        details (PayloadTooLargeBodyErrorDetails | Unset):
    """

    code: Literal["payload_too_large"] | Unset = UNSET
    details: PayloadTooLargeBodyErrorDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payload_too_large_body_error_details import PayloadTooLargeBodyErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        code = cast(Literal["payload_too_large"] | Unset, d.pop("code", UNSET))
        if code != "payload_too_large" and not isinstance(code, Unset):
            raise ValueError(f"code must match const 'payload_too_large', got '{code}'")

        _details = d.pop("details", UNSET)
        details: PayloadTooLargeBodyErrorDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = PayloadTooLargeBodyErrorDetails.from_dict(_details)

        payload_too_large_body_error = cls(
            code=code,
            details=details,
        )

        payload_too_large_body_error.additional_properties = d
        return payload_too_large_body_error

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
