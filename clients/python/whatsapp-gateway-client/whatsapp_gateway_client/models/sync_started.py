from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="SyncStarted")


@_attrs_define
class SyncStarted:
    """syncGroups' answer: the sync that runs now (started by this request or before it).

    Example:
        {'syncId': 'sync-7kQ2mV9xT4bN1cR8', 'state': 'running', 'requestedAt': 1719662400000}

    Attributes:
        sync_id (str): Names the sync (opaque; today `sync-` and 16 letters and digits).
        state (Literal['running']):
        requested_at (int): When the sync was requested (ms since the epoch).
    """

    sync_id: str
    state: Literal["running"]
    requested_at: int

    def to_dict(self) -> dict[str, Any]:
        sync_id = self.sync_id

        state = self.state

        requested_at = self.requested_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "syncId": sync_id,
                "state": state,
                "requestedAt": requested_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sync_id = d.pop("syncId")

        state = cast(Literal["running"], d.pop("state"))
        if state != "running":
            raise ValueError(f"state must match const 'running', got '{state}'")

        requested_at = d.pop("requestedAt")

        sync_started = cls(
            sync_id=sync_id,
            state=state,
            requested_at=requested_at,
        )

        return sync_started
