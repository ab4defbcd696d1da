from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.add_result import AddResult


T = TypeVar("T", bound="AddResults")


@_attrs_define
class AddResults:
    """addGroupMembers' answer.

    Example:
        {'results': [{'jid': '6289876543210@s.whatsapp.net', 'status': 'added'}, {'jid': '6281122334455@lid', 'status':
            'invite_required', 'invite': {'code': 'Hk3bXq9TzL0pWm7Rv2Nc5d', 'expiresAt': 1720267200000}}], 'added': 1,
            'notAdded': 1}

    Attributes:
        results (list[AddResult]): One result per requested participant, in request order.
        added (int): How many results have status `added`.
        not_added (int): How many results have any other status.
    """

    results: list[AddResult]
    added: int
    not_added: int

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        added = self.added

        not_added = self.not_added

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "results": results,
                "added": added,
                "notAdded": not_added,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.add_result import AddResult  # noqa: PLC0415

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = AddResult.from_dict(results_item_data)

            results.append(results_item)

        added = d.pop("added")

        not_added = d.pop("notAdded")

        add_results = cls(
            results=results,
            added=added,
            not_added=not_added,
        )

        return add_results
