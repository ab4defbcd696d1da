from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.add_status import AddStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invitation import Invitation


T = TypeVar("T", bound="AddResult")


@_attrs_define
class AddResult:
    """What WhatsApp did for one requested participant. `invite` only with `invite_required`
    or `invite_sent`, when WhatsApp issued an invitation; `reason` with `failed`, and only
    then.

        Attributes:
            jid (str): `<digits>@s.whatsapp.net` or `<digits>@lid`, as stored and answered.
            status (AddStatus): What WhatsApp did for one participant:
                - `added`: added to the group.
                - `already_member`: in the group already.
                - `invite_required`: their privacy settings allow only an invitation; `invite` holds
                  the one WhatsApp issued, when it did.
                - `invite_sent`: as `invite_required`, and the invitation was sent to them
                  (`onPrivacyBlock: "invite"`).
                - `not_on_whatsapp`: the number has no WhatsApp account.
                - `recently_left`: they left the group recently and cannot be added back yet.
                - `group_full`: the group holds the most members WhatsApp allows (1024).
                - `failed`: WhatsApp failed for this person, or gave no answer for them; `reason` says
                  why.
            invite (Invitation | Unset): An invitation WhatsApp issued to one person: they join the group with `code` until
                `expiresAt`.
            reason (str | Unset): Why WhatsApp failed for this person (`failed` only). For people, not for parsing.
    """

    jid: str
    status: AddStatus
    invite: Invitation | Unset = UNSET
    reason: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        jid = self.jid

        status = self.status.value

        invite: dict[str, Any] | Unset = UNSET
        if not isinstance(self.invite, Unset):
            invite = self.invite.to_dict()

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jid": jid,
                "status": status,
            }
        )
        if invite is not UNSET:
            field_dict["invite"] = invite
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invitation import Invitation  # noqa: PLC0415

        d = dict(src_dict)
        jid = d.pop("jid")

        status = AddStatus(d.pop("status"))

        _invite = d.pop("invite", UNSET)
        invite: Invitation | Unset
        if isinstance(_invite, Unset):
            invite = UNSET
        else:
            invite = Invitation.from_dict(_invite)

        reason = d.pop("reason", UNSET)

        add_result = cls(
            jid=jid,
            status=status,
            invite=invite,
            reason=reason,
        )

        return add_result
