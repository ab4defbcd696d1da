from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Group")


@_attrs_define
class Group:
    """A group as the gateway stored it from WhatsApp.

    Example:
        {'id': 512, 'groupJid': '120363021234567890@g.us', 'subject': 'Project Team', 'description': 'Coordination for
            Q3 launch', 'ownerJid': '6281234567890@s.whatsapp.net', 'participantCount': 42, 'isAnnounce': False, 'isLocked':
            False, 'createdAtWa': 1700000000000, 'firstSeenAt': 1719662400000, 'updatedAt': 1719662400000, 'leftAt': None}

    Attributes:
        id (int): Given by the gateway the first time it stores the group; unique within its session
            and never changed. Ids are unique, not dense: numbers may be skipped.
        group_jid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
        subject (str): A group subject as stored: 1–100 characters, no control characters (U+0000–U+001F,
            U+007F–U+009F), no surrounding white space.
        description (str): 0–2048 characters, kept as sent (`""` is no description). Line breaks and tabs are
            allowed; other control characters (U+0000–U+001F, U+007F–U+009F) are not.
        owner_jid (None | str): The group's owner; `null` when WhatsApp names none (e.g. the creator left).
        participant_count (int): Members, the owner included (WhatsApp allows at most 1024). Once the group's members
            are known, the number of its stored members (`listGroupMembers`).
        is_announce (bool): Only admins may post.
        is_locked (bool): Only admins may edit the group's info.
        created_at_wa (int): WhatsApp's creation time (ms since the epoch).
        first_seen_at (int): When the gateway first stored the group (ms since the epoch).
        updated_at (int): The last stored change (ms since the epoch).
        left_at (int | None | Unset): When the session's account left the group or was removed from it (ms since the
            epoch); `null` while the account is in the group. Always present in answers since
            1.1.0. A group the account left stays stored: `listGroups` leaves it out unless
            `includeLeft=true`. Cleared when the account is back in the group. A resync that no
            longer finds the group sets it to the time that sync started.
    """

    id: int
    group_jid: str
    subject: str
    description: str
    owner_jid: None | str
    participant_count: int
    is_announce: bool
    is_locked: bool
    created_at_wa: int
    first_seen_at: int
    updated_at: int
    left_at: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        group_jid = self.group_jid

        subject = self.subject

        description = self.description

        owner_jid: None | str
        owner_jid = self.owner_jid

        participant_count = self.participant_count

        is_announce = self.is_announce

        is_locked = self.is_locked

        created_at_wa = self.created_at_wa

        first_seen_at = self.first_seen_at

        updated_at = self.updated_at

        left_at: int | None | Unset
        if isinstance(self.left_at, Unset):
            left_at = UNSET
        else:
            left_at = self.left_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "groupJid": group_jid,
                "subject": subject,
                "description": description,
                "ownerJid": owner_jid,
                "participantCount": participant_count,
                "isAnnounce": is_announce,
                "isLocked": is_locked,
                "createdAtWa": created_at_wa,
                "firstSeenAt": first_seen_at,
                "updatedAt": updated_at,
            }
        )
        if left_at is not UNSET:
            field_dict["leftAt"] = left_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        group_jid = d.pop("groupJid")

        subject = d.pop("subject")

        description = d.pop("description")

        def _parse_owner_jid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        owner_jid = _parse_owner_jid(d.pop("ownerJid"))

        participant_count = d.pop("participantCount")

        is_announce = d.pop("isAnnounce")

        is_locked = d.pop("isLocked")

        created_at_wa = d.pop("createdAtWa")

        first_seen_at = d.pop("firstSeenAt")

        updated_at = d.pop("updatedAt")

        def _parse_left_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        left_at = _parse_left_at(d.pop("leftAt", UNSET))

        group = cls(
            id=id,
            group_jid=group_jid,
            subject=subject,
            description=description,
            owner_jid=owner_jid,
            participant_count=participant_count,
            is_announce=is_announce,
            is_locked=is_locked,
            created_at_wa=created_at_wa,
            first_seen_at=first_seen_at,
            updated_at=updated_at,
            left_at=left_at,
        )

        return group
