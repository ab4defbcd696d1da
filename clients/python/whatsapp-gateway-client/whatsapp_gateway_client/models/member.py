from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.member_role import MemberRole

T = TypeVar("T", bound="Member")


@_attrs_define
class Member:
    """A stored member of a group. WhatsApp addresses a person by phone number
    (`@s.whatsapp.net`) or by LID (`@lid`); where it gave both, both are kept.

        Example:
            {'jid': '6289876543210@s.whatsapp.net', 'lid': '77001122334455@lid', 'phoneJid': '6289876543210@s.whatsapp.net',
                'role': 'member', 'firstSeenAt': 1719662400000, 'updatedAt': 1719662400000}

        Attributes:
            jid (str): `<digits>@s.whatsapp.net` or `<digits>@lid`, as stored and answered.
            lid (None | str): The member's LID; `null` when unknown.
            phone_jid (None | str): The member's phone-number JID; `null` when unknown.
            role (MemberRole): `superadmin`: the group's creator (nobody removes or demotes them); `admin`: a group
                admin; `member`: neither.
            first_seen_at (int): When the gateway first stored the member (ms since the epoch).
            updated_at (int): The last stored change of the member (ms since the epoch).
    """

    jid: str
    lid: None | str
    phone_jid: None | str
    role: MemberRole
    first_seen_at: int
    updated_at: int

    def to_dict(self) -> dict[str, Any]:
        jid = self.jid

        lid: None | str
        lid = self.lid

        phone_jid: None | str
        phone_jid = self.phone_jid

        role = self.role.value

        first_seen_at = self.first_seen_at

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jid": jid,
                "lid": lid,
                "phoneJid": phone_jid,
                "role": role,
                "firstSeenAt": first_seen_at,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        jid = d.pop("jid")

        def _parse_lid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lid = _parse_lid(d.pop("lid"))

        def _parse_phone_jid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone_jid = _parse_phone_jid(d.pop("phoneJid"))

        role = MemberRole(d.pop("role"))

        first_seen_at = d.pop("firstSeenAt")

        updated_at = d.pop("updatedAt")

        member = cls(
            jid=jid,
            lid=lid,
            phone_jid=phone_jid,
            role=role,
            first_seen_at=first_seen_at,
            updated_at=updated_at,
        )

        return member
