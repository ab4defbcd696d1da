from enum import StrEnum


class UpdateField(StrEnum):
    ANNOUNCE = "announce"
    DESCRIPTION = "description"
    LOCKED = "locked"
    SUBJECT = "subject"

    def __str__(self) -> str:
        return str(self.value)
