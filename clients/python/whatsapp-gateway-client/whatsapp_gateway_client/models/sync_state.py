from enum import StrEnum


class SyncState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
