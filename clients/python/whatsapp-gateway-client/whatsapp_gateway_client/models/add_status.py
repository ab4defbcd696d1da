from enum import StrEnum


class AddStatus(StrEnum):
    ADDED = "added"
    ALREADY_MEMBER = "already_member"
    FAILED = "failed"
    GROUP_FULL = "group_full"
    INVITE_REQUIRED = "invite_required"
    INVITE_SENT = "invite_sent"
    NOT_ON_WHATSAPP = "not_on_whatsapp"
    RECENTLY_LEFT = "recently_left"

    def __str__(self) -> str:
        return str(self.value)
