from enum import StrEnum


class MemberRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    SUPERADMIN = "superadmin"

    def __str__(self) -> str:
        return str(self.value)
