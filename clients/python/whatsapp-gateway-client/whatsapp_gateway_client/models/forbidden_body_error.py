from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.forbidden_body_error_details import ForbiddenBodyErrorDetails


T = TypeVar("T", bound="ForbiddenBodyError")


@_attrs_define
class ForbiddenBodyError:
    """
    Attributes:
        code (Literal['forbidden'] | Unset):
        details (ForbiddenBodyErrorDetails | Unset):
    """

    code: Literal["forbidden"] | Unset = UNSET
    details: ForbiddenBodyErrorDetails | Unset = UNSET
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
        from ..models.forbidden_body_error_details import ForbiddenBodyErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        code = cast(Literal["forbidden"] | Unset, d.pop("code", UNSET))
        if code != "forbidden" and not isinstance(code, Unset):
            raise ValueError(f"code must match const 'forbidden', got '{code}'")

        _details = d.pop("details", UNSET)
        details: ForbiddenBodyErrorDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = ForbiddenBodyErrorDetails.from_dict(_details)

        forbidden_body_error = cls(
            code=code,
            details=details,
        )

        forbidden_body_error.additional_properties = d
        return forbidden_body_error

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
