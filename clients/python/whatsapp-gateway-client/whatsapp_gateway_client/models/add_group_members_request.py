from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.on_privacy_block import OnPrivacyBlock
from ..types import UNSET, Unset

T = TypeVar("T", bound="AddGroupMembersRequest")


@_attrs_define
class AddGroupMembersRequest:
    """A field that is present must have a value of its type: `null` is refused, as are
    unknown fields.

        Attributes:
            participants (list[str]): 1–1023 distinct user JIDs (distinct once `@c.us` is read as `@s.whatsapp.net`), the
                people to add.
            on_privacy_block (OnPrivacyBlock | Unset): What to do for a person whose privacy settings let them be invited
                only: `report`
                (the default) answers `invite_required` with the invitation WhatsApp issued, for you to
                pass on; `invite` has WhatsApp send it to them (`invite_sent`).
    """

    participants: list[str]
    on_privacy_block: OnPrivacyBlock | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        participants = self.participants

        on_privacy_block: str | Unset = UNSET
        if not isinstance(self.on_privacy_block, Unset):
            on_privacy_block = self.on_privacy_block.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "participants": participants,
            }
        )
        if on_privacy_block is not UNSET:
            field_dict["onPrivacyBlock"] = on_privacy_block

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        participants = cast(list[str], d.pop("participants"))

        _on_privacy_block = d.pop("onPrivacyBlock", UNSET)
        on_privacy_block: OnPrivacyBlock | Unset
        if isinstance(_on_privacy_block, Unset):
            on_privacy_block = UNSET
        else:
            on_privacy_block = OnPrivacyBlock(_on_privacy_block)

        add_group_members_request = cls(
            participants=participants,
            on_privacy_block=on_privacy_block,
        )

        return add_group_members_request
