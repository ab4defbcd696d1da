from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateGroupRequest")


@_attrs_define
class CreateGroupRequest:
    """
    Attributes:
        name (str): A group subject as sent: surrounding white space (Unicode White_Space) is removed, then
            1–100 characters without control characters (U+0000–U+001F, U+007F–U+009F) must remain.
        participants (list[str]): 1–1023 distinct user JIDs (distinct once `@c.us` is read as `@s.whatsapp.net`). The
            session's own account becomes the owner and need not be listed.
    """

    name: str
    participants: list[str]

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        participants = self.participants

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "participants": participants,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        participants = cast(list[str], d.pop("participants"))

        create_group_request = cls(
            name=name,
            participants=participants,
        )

        return create_group_request
