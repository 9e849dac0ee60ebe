"""After a reset, a device never hears its last_mutation_id go back: the pages of the fresh
snapshot repeat what the last complete pull confirmed (guarantee 3 holds: those mutations'
effects arrive by the snapshot's last page, which reports the current value)."""

from __future__ import annotations

import uuid

from tests.sync.syncing import Replica


def test_a_reset_snapshot_repeats_the_confirmed_mutation_id_on_every_page(api_as, org):
    device = Replica(api_as(org.rep))
    for n in range(3):
        device.push(("lead.create", {"id": str(uuid.uuid4()), "contact_name": f"Lead {n}"}))
    device.pull_all()
    assert device.last_mutation_id == 3

    device.cursor = "forged-or-expired-cursor"
    pages = device.pull_all(limit=2)  # several pages: leads, people, products …
    assert pages[0]["reset"] is True
    assert len(pages) > 2
    assert [page["last_mutation_id"] for page in pages] == [3] * len(pages)
    assert len(device.of("lead")) == 3

    # A device that has never pulled starts from 0, as before.
    fresh = Replica(api_as(org.rep))
    first = fresh.pull_page(limit=2)
    assert first["has_more"] and first["last_mutation_id"] == 0
