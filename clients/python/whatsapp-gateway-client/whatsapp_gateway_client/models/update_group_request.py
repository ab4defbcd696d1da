from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UpdateGroupRequest")


@_attrs_define
class UpdateGroupRequest:
    """Any non-empty subset of the four fields. A field that is present must have a value of
    its type: `null` is refused, as are unknown fields (e.g. `isAnnounce`).

        Attributes:
            subject (str | Unset): A group subject as sent: surrounding white space (Unicode White_Space) is removed, then
                1–100 characters without control characters (U+0000–U+001F, U+007F–U+009F) must remain.
            description (str | Unset): 0–2048 characters, kept as sent (`""` is no description). Line breaks and tabs are
                allowed; other control characters (U+0000–U+001F, U+007F–U+009F) are not.
            announce (bool | Unset): Only admins may post (needs a group admin).
            locked (bool | Unset): Only admins may edit the group's info (needs a group admin).
    """

    subject: str | Unset = UNSET
    description: str | Unset = UNSET
    announce: bool | Unset = UNSET
    locked: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        description = self.description

        announce = self.announce

        locked = self.locked

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if subject is not UNSET:
            field_dict["subject"] = subject
        if description is not UNSET:
            field_dict["description"] = description
        if announce is not UNSET:
            field_dict["announce"] = announce
        if locked is not UNSET:
            field_dict["locked"] = locked

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subject = d.pop("subject", UNSET)

        description = d.pop("description", UNSET)

        announce = d.pop("announce", UNSET)

        locked = d.pop("locked", UNSET)

        update_group_request = cls(
            subject=subject,
            description=description,
            announce=announce,
            locked=locked,
        )

        return update_group_request
