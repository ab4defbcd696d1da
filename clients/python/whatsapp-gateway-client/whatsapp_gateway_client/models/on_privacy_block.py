from enum import StrEnum


class OnPrivacyBlock(StrEnum):
    INVITE = "invite"
    REPORT = "report"

    def __str__(self) -> str:
        return str(self.value)
