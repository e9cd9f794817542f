"""Compare a mirror with the test provider's records."""

from __future__ import annotations

from tests.support.books import Books
from unified_accounting.syncing import Mirror, Scope


def mirror_differences(
    mirror: Mirror, books: Books, scope: Scope, resources: tuple[str, ...]
) -> list[str]:
    """Return every way the mirror differs from the provider for one scope (empty when equal).

    Live records must match the provider's raw record exactly; every record the provider has
    deleted and the mirror knows must be marked deleted.
    """
    problems: list[str] = []
    for resource in resources:
        live = books.live(scope.business_id, resource)
        held = {rec.id: rec.remote_data for rec in mirror.records(scope, resource)}
        for record_id in sorted(live.keys() - held.keys()):
            problems.append(f"{resource}/{record_id} missing")
        for record_id in sorted(held.keys() - live.keys()):
            problems.append(f"{resource}/{record_id} still live in the mirror")
        for record_id in sorted(live.keys() & held.keys()):
            if held[record_id] != live[record_id]:
                problems.append(f"{resource}/{record_id} stale")
        for record_id in sorted(books.deleted_ids(scope.business_id, resource)):
            rec = mirror.get(scope, resource, record_id, include_deleted=True)
            if rec is not None and not rec.deleted:
                problems.append(f"{resource}/{record_id} not marked deleted")
    return problems
