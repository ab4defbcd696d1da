from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UnauthorizedBodyError")


@_attrs_define
class UnauthorizedBodyError:
    """
    Attributes:
        code (Literal['unauthorized'] | Unset):
        details (Any | Unset):
    """

    code: Literal["unauthorized"] | Unset = UNSET
    details: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        details = self.details

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
        d = dict(src_dict)
        code = cast(Literal["unauthorized"] | Unset, d.pop("code", UNSET))
        if code != "unauthorized" and not isinstance(code, Unset):
            raise ValueError(f"code must match const 'unauthorized', got '{code}'")

        details = d.pop("details", UNSET)

        unauthorized_body_error = cls(
            code=code,
            details=details,
        )

        unauthorized_body_error.additional_properties = d
        return unauthorized_body_error

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
