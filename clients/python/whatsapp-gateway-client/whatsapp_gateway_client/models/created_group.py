from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.add_result import AddResult


T = TypeVar("T", bound="CreatedGroup")


@_attrs_define
class CreatedGroup:
    """createGroup's answer: the new group (every member of `Group`, as stored) and, in
    `results`, what WhatsApp did for each requested participant.

        Example:
            {'id': 513, 'groupJid': '120363021234567899@g.us', 'subject': 'Launch Crew', 'description': '', 'ownerJid':
                '6281234567890@s.whatsapp.net', 'participantCount': 2, 'isAnnounce': False, 'isLocked': False, 'createdAtWa':
                1719662400000, 'firstSeenAt': 1719662400000, 'updatedAt': 1719662400000, 'leftAt': None, 'results': [{'jid':
                '6289876543210@s.whatsapp.net', 'status': 'added'}, {'jid': '6281122334455@lid', 'status': 'invite_required',
                'invite': {'code': 'Hk3bXq9TzL0pWm7Rv2Nc5d', 'expiresAt': 1720267200000}}]}

        Attributes:
            id (int): As in `Group`.
            group_jid (str): `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
            subject (str): A group subject as stored: 1–100 characters, no control characters (U+0000–U+001F,
                U+007F–U+009F), no surrounding white space.
            description (str): 0–2048 characters, kept as sent (`""` is no description). Line breaks and tabs are
                allowed; other control characters (U+0000–U+001F, U+007F–U+009F) are not.
            owner_jid (None | str): As in `Group`.
            participant_count (int): As in `Group`.
            is_announce (bool): As in `Group`.
            is_locked (bool): As in `Group`.
            created_at_wa (int): As in `Group`.
            first_seen_at (int): As in `Group`.
            updated_at (int): As in `Group`.
            left_at (int | None): As in `Group` (`null` for a new group).
            results (list[AddResult]): One result per requested participant, in request order (see `AddResult`). createGroup
                sends no invitations: a status is never `invite_sent`.
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
    left_at: int | None
    results: list[AddResult]

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

        left_at: int | None
        left_at = self.left_at

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

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
                "leftAt": left_at,
                "results": results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.add_result import AddResult  # noqa: PLC0415

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

        def _parse_left_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        left_at = _parse_left_at(d.pop("leftAt"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = AddResult.from_dict(results_item_data)

            results.append(results_item)

        created_group = cls(
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
            results=results,
        )

        return created_group
