"""A phone with the first release's database (version 1) and unsent changes gets this release:
the app upgrades the database in place, shows the changes still pending, and sends them."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.helpers import (
    ADMIN,
    ROBIN,
    capture_lead,
    log_call,
    sign_in,
    wait_controlled,
    wait_synced,
)

# The first release's upgrade function: the historic fixture the Vitest upgrade test uses too.
_V1_SOURCE = (Path(__file__).parents[2] / "pwa" / "test" / "fixtures" / "schema-v1.js").read_text()
V1_UPGRADE = _V1_SOURCE[_V1_SOURCE.index("function upgradeV1") :]

# Reads the page's database as this release wrote it, deletes it (the open app must let go:
# it closes its connection on `versionchange`) and writes the same data back as the first
# release kept it: SLA policies in `records` as "sla_policy:<id>", problems with lead_id only.
DOWNGRADE = (
    """async () => {
  const done = (r) => new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const db = await done(indexedDB.open('leadsync'));
  const names = [...db.objectStoreNames];
  const read = db.transaction(names);
  const data = {};
  for (const n of names) {
    const s = read.objectStore(n);
    data[n] = {keys: await done(s.getAllKeys()), values: await done(s.getAll())};
  }
  const version = db.version;
  db.close();

  // Chromium may report `blocked` even when the connection closes in its versionchange
  // handler: what counts is that the delete goes through while the app is open.
  const released = await Promise.race([
    done(indexedDB.deleteDatabase('leadsync')).then(() => true),
    new Promise((ok) => setTimeout(() => ok(false), 5000)),
  ]);
  if (!released) return {released};

  const open = indexedDB.open('leadsync', 1);
  open.onupgradeneeded = () => ("""
    + V1_UPGRADE
    + """)(open.result);
  const v1 = await done(open);
  const write = v1.transaction([...v1.objectStoreNames], 'readwrite');
  data.meta.keys.forEach((k, i) => write.objectStore('meta').put(data.meta.values[i], k));
  for (const n of ['outbox', 'leads', 'followups', 'users', 'products', 'records']) {
    for (const row of data[n].values) write.objectStore(n).put(row);
  }
  for (const p of data.problems.values) {
    const {entity, record_id, ...old} = p;
    write.objectStore('problems').put(old);
  }
  for (const p of data.sla_policies.values) {
    write.objectStore('records').put({...p, key: `sla_policy:${p.id}`, entity: 'sla_policy'});
  }
  await new Promise((ok, fail) => {
    write.oncomplete = ok;
    write.onerror = () => fail(write.error);
  });
  const stores = [...v1.objectStoreNames].sort();
  v1.close();
  const meta = Object.fromEntries(data.meta.keys.map((k, i) => [k, data.meta.values[i]]));
  return {released, version, stores, outbox: data.outbox.values, meta,
          policies: data.sla_policies.values.length, leads: data.leads.values.length};
}"""
)

READ_DB = """async () => {
  const done = (r) => new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const db = await done(indexedDB.open('leadsync'));
  const names = [...db.objectStoreNames];
  const tx = db.transaction(names);
  const get = (s, k) => done(tx.objectStore(s).get(k));
  const all = (s) => done(tx.objectStore(s).getAll());
  const out = {
    version: db.version,
    stores: names.sort(),
    outbox: await all('outbox'),
    client_id: await get('meta', 'client_id'),
    cursor: await get('meta', 'cursor'),
    next_mutation_id: await get('meta', 'next_mutation_id'),
    policies: (await all('sla_policies')).length,
    policies_in_records: (await all('records')).filter((r) => r.entity === 'sla_policy').length,
    leads: (await all('leads')).length,
  };
  db.close();
  return out;
}"""


def test_first_release_database_upgrades_with_unsent_changes(new_context, api, artifacts):
    # An SLA policy on the device (the demo has none): version 2 moves them out of `records`.
    # Inactive, so no other test's clocks change.
    api(ADMIN).call(
        "POST",
        "/api/v1/sla/policies",
        {
            "name": f"Upgrade check {uuid.uuid4().hex[:6]}",
            "metric": "follow_up",
            "target_minutes": 240,
            "active": False,
        },
    )
    context = new_context()
    page = context.new_page()
    sign_in(page, ROBIN)
    wait_controlled(page)

    context.set_offline(True)
    name = f"Upgrade {uuid.uuid4().hex[:6]}"
    capture_lead(page, name, "+49 30 5550199")
    log_call(page, f"call about {name}")
    expect(page.get_by_role("status").first).to_contain_text("2 changes not sent")

    before = page.evaluate(DOWNGRADE)
    assert before["released"], "the open app did not let go of its database"
    assert before["version"] == 3
    assert before["stores"] == [
        "followups",
        "leads",
        "meta",
        "outbox",
        "problems",
        "products",
        "records",
        "users",
    ]
    assert [e["name"] for e in before["outbox"]] == ["lead.create", "followup.create"]
    assert before["policies"] > 0  # now back in `records`, as the first release kept them
    # The open app let go at once and says why it needs a reload.
    expect(page.get_by_role("alert")).to_contain_text("updated in another tab")
    page.screenshot(path=artifacts / "12-database-replaced.png")

    # The new release starts on the first release's database, still offline.
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()  # on the lead's screen, as left
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_role("listitem").filter(has_text=f"call about {name}")).to_contain_text(
        "not sent"
    )
    status = page.get_by_role("status").first
    expect(status).to_contain_text("Offline")
    expect(status).to_contain_text("2 changes not sent")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    row = page.locator(".lead-row", has_text=name)
    expect(row).to_be_visible()
    expect(row.get_by_title("Not sent yet")).to_be_visible()
    page.screenshot(path=artifacts / "11-upgraded-offline.png")

    after = page.evaluate(READ_DB)
    assert after["version"] == 3
    assert {"sla_policies", "questions", "replies"} <= set(after["stores"])
    assert after["outbox"] == before["outbox"]  # same entries, ids and order
    assert after["client_id"] == before["meta"]["client_id"]
    assert after["cursor"] == before["meta"]["cursor"]
    assert after["next_mutation_id"] == before["meta"]["next_mutation_id"]
    assert after["policies"] == before["policies"]
    assert after["policies_in_records"] == 0
    assert after["leads"] == before["leads"]

    context.set_offline(False)
    wait_synced(page, timeout=30_000)
    assert page.evaluate(READ_DB)["outbox"] == []

    robin = api(ROBIN)
    mine = [lead for lead in robin.all_leads() if lead["contact_name"] == name]
    assert len(mine) == 1
    detail = robin.call("GET", f"/api/v1/leads/{mine[0]['id']}")
    assert [f["kind"] for f in detail["follow_ups"]] == ["call"]
    assert detail["stage"] == "contacted"
