from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.sync_state import SyncState

T = TypeVar("T", bound="GroupSync")


@_attrs_define
class GroupSync:
    """A session's last sync; `syncId` and the times are `null` before the first one.

    Attributes:
        sync_id (None | str): Names the sync (opaque), as `syncGroups` answered it.
        state (SyncState): `running` while a sync runs; `idle` otherwise.
        requested_at (int | None): When the sync was requested (ms since the epoch).
        completed_at (int | None): When the connection service reported the sync complete (ms since the epoch); `null`
            while it runs, and for a sync that failed (still running 15 minutes after it was
            requested).
        group_count (int | None): How many groups the account was in when the sync completed; `null` when
            `completedAt` is.
    """

    sync_id: None | str
    state: SyncState
    requested_at: int | None
    completed_at: int | None
    group_count: int | None

    def to_dict(self) -> dict[str, Any]:
        sync_id: None | str
        sync_id = self.sync_id

        state = self.state.value

        requested_at: int | None
        requested_at = self.requested_at

        completed_at: int | None
        completed_at = self.completed_at

        group_count: int | None
        group_count = self.group_count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "syncId": sync_id,
                "state": state,
                "requestedAt": requested_at,
                "completedAt": completed_at,
                "groupCount": group_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_sync_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sync_id = _parse_sync_id(d.pop("syncId"))

        state = SyncState(d.pop("state"))

        def _parse_requested_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        requested_at = _parse_requested_at(d.pop("requestedAt"))

        def _parse_completed_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        completed_at = _parse_completed_at(d.pop("completedAt"))

        def _parse_group_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        group_count = _parse_group_count(d.pop("groupCount"))

        group_sync = cls(
            sync_id=sync_id,
            state=state,
            requested_at=requested_at,
            completed_at=completed_at,
            group_count=group_count,
        )

        return group_sync
