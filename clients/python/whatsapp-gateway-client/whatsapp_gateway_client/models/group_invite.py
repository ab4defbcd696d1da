from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GroupInvite")


@_attrs_define
class GroupInvite:
    """
    Example:
        {'invite': 'https://chat.whatsapp.com/F5RgjVyPKn0GMNGjMB5yTz'}

    Attributes:
        invite (str): The group's invite link, `https://chat.whatsapp.com/<code>`.
    """

    invite: str

    def to_dict(self) -> dict[str, Any]:
        invite = self.invite

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "invite": invite,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        invite = d.pop("invite")

        group_invite = cls(
            invite=invite,
        )

        return group_invite
