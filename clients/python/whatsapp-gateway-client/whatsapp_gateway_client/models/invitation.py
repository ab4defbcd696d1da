from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Invitation")


@_attrs_define
class Invitation:
    """An invitation WhatsApp issued to one person: they join the group with `code` until
    `expiresAt`.

        Attributes:
            code (str):
            expires_at (int): When the invitation stops working (ms since the epoch).
    """

    code: str
    expires_at: int

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        expires_at = self.expires_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        expires_at = d.pop("expiresAt")

        invitation = cls(
            code=code,
            expires_at=expires_at,
        )

        return invitation
