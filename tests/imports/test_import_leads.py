"""POST /imports/leads and /imports/followups: past inquiries from a spreadsheet, all rows
or none, every bad row named by its line."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from tests.leads.helpers import error_of
from tests.sync.syncing import Replica

LEADS = "/api/v1/imports/leads"
FOLLOW_UPS = "/api/v1/imports/followups"


def send(api, text: str, expect: int = 201, bom: bool = False):
    body = ("\ufeff" if bom else "") + text
    response = api.post(LEADS, data=body.encode(), content_type="text/csv")
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def by_ref(api) -> dict[str, dict]:
    items = api.get("/api/v1/leads", query_string={"limit": 200}).json["items"]
    return {lead["external_ref"]: lead for lead in items if lead["external_ref"]}


def test_past_inquiries_keep_their_dates_stages_and_values(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    product = admin.post("/api/v1/products", json={"name": "Pump X", "sku": "PX-1"}).json
    rep = berlin_org.rep.email
    csv_text = (
        "external_ref,contact_name,phone,source,owner_email,product_sku,created_at,stage,"
        "closed_at,won_value,lost_reason,quantity\r\n"
        f"Q-1,Anna Alt,030 1234567,website,{rep},PX-1,2025-03-01,new,,,,2\r\n"
        f"Q-2,Bernd Bau,,phone,{rep},,2025-03-02T14:30:00,won,2025-03-20,1500.50,,\r\n"
        f"Q-3,Carla Cordes,,trade_show,,,2025-03-03T08:00:00Z,lost,2025-04-01T10:00:00+02:00,,"
        "price_too_high,\r\n"
    )
    assert send(admin, csv_text, bom=True) == {"imported": 3, "duplicates_flagged": 0}
    leads = by_ref(admin)
    q1, q2, q3 = leads["Q-1"], leads["Q-2"], leads["Q-3"]
    # A date alone is local midnight in Berlin (UTC+1 on 1 March); a time without an offset
    # is Berlin time too; a time with one is taken as it says.
    assert q1["created_at"] == "2025-02-28T23:00:00.000Z"
    assert q2["created_at"] == "2025-03-02T13:30:00.000Z"
    assert q3["created_at"] == "2025-03-03T08:00:00.000Z"
    assert (q1["owner_id"], q1["product_id"], q1["quantity"]) == (
        str(berlin_org.rep.id), product["id"], 2.0
    )
    assert (q2["stage"], q2["won_value"], q2["closed_at"]) == (
        "won", 1500.5, "2025-03-19T23:00:00.000Z"
    )
    assert (q3["stage"], q3["lost_reason"], q3["closed_at"]) == (
        "lost", "price_too_high", "2025-04-01T08:00:00.000Z"
    )
    # The importer owns a row without an owner_email.
    assert q3["owner_id"] == str(berlin_org.admin.id)
    # Clocks as of the import: the open one runs from now, the closed ones have none.
    started = datetime.fromisoformat(q1["sla"]["started_at"])
    assert abs((started - datetime.now(UTC)).total_seconds()) < 120
    assert q1["sla"]["state"] == "ok" and q2["sla"] is None
    # History: created, then closed at its own time.
    steps = admin.get(f"/api/v1/leads/{q2['id']}/history").json
    assert [(s["from_stage"], s["to_stage"], s["at"]) for s in steps] == [
        (None, "new", "2025-03-02T13:30:00.000Z"), ("new", "won", "2025-03-19T23:00:00.000Z")
    ]
    # They reach devices like any lead.
    device = Replica(api_as(berlin_org.rep))
    device.pull_all()
    assert {lead["external_ref"] for lead in device.of("lead").values()} >= {"Q-1", "Q-2"}


def test_one_bad_row_in_many_names_every_bad_row_and_imports_nothing(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    before = len(admin.get("/api/v1/leads").json["items"])
    rows = [f"R-{n},Person {n},website,2025-05-0{1 + n % 9}" for n in range(40)]
    rows[9] = "R-9,,website,2025-05-01"  # line 11: no name
    rows[19] = "R-19,Zed,carrier_pigeon,2025-05-01"  # line 21: not a source
    rows[29] = "R-29,Yan,website,31/05/2025"  # line 31: not a date
    rows[34] = "R-1,Xu,website,2025-05-01"  # line 36: the reference of line 3
    text = "external_ref,contact_name,source,created_at\n" + "\n".join(rows) + "\n"
    error = error_of(admin.post(LEADS, data=text, content_type="text/csv"), 422, "invalid_rows")
    assert set(error["fields"]) == {"11", "21", "31", "36"}
    assert "contact_name" in error["fields"]["11"]
    assert "source" in error["fields"]["21"]
    assert "created_at" in error["fields"]["31"]
    assert "line 3" in error["fields"]["36"]["external_ref"][0]
    assert "4 rows" in error["message"]
    assert len(admin.get("/api/v1/leads").json["items"]) == before


def test_closing_rules_are_checked_row_by_row(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    text = (
        "contact_name,stage,won_value,lost_reason,created_at,closed_at,owner_email\n"
        "A,won,,,2025-01-01,2025-01-02,\n"  # line 2: won without value
        "B,lost,,,2025-01-01,2025-01-02,\n"  # line 3: lost without reason
        "C,new,,,2025-01-05,2025-01-02,\n"  # line 4: open with closed_at
        "D,won,100,,2025-01-05,2025-01-02,\n"  # line 5: closed before created
        "E,new,,,2099-01-01,,\n"  # line 6: in the future
        "F,new,,,2025-01-01,,nobody@nowhere.test\n"  # line 7: unknown owner
    )
    fields = error_of(admin.post(LEADS, data=text, content_type="text/csv"), 422)["fields"]
    assert {line: sorted(problems) for line, problems in fields.items()} == {
        "2": ["won_value"], "3": ["lost_reason"], "4": ["closed_at"], "5": ["closed_at"],
        "6": ["created_at"], "7": ["owner_email"],
    }  # fmt: skip


def test_upload_as_a_form_file_with_semicolons_and_duplicates_flagged(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    existing = admin.post(
        "/api/v1/leads", json={"contact_name": "Live", "phone": "+49 30 1234567", "source": "phone"}
    )
    assert existing.status_code == 201
    text = "contact_name;phone;source\nOld Anna;+49 30 1234567;website\nOld Ben;;website\n"
    response = admin.post(
        LEADS,
        data={"file": (io.BytesIO(text.encode("utf-8")), "leads.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json == {"imported": 2, "duplicates_flagged": 1}


def test_bad_files_and_who_may_import(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    error = error_of(admin.post(LEADS, data="name,colour\nA,red\n", content_type="text/csv"), 422)
    assert "Unknown columns: name, colour." in error["fields"]["header"]
    assert "Missing columns: contact_name." in error["fields"]["header"]
    error_of(admin.post(LEADS, data=b"contact_name\n\xff\xfe\n", content_type="text/csv"), 422)
    error_of(admin.post(LEADS, data="", content_type="text/csv"), 422)
    error_of(admin.post(LEADS, json={"contact_name": "A"}), 400)
    error_of(admin.post(LEADS, data=b"x" * (33 * 1024 * 1024), content_type="text/csv"), 413)
    error_of(
        api_as(berlin_org.rep).post(LEADS, data="contact_name\nA\n", content_type="text/csv"), 403
    )


def test_follow_ups_move_their_leads_on(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    send(admin, "external_ref,contact_name,created_at\nQ-7,Greta,2025-06-02\nQ-8,Hans,2025-06-02\n")
    text = (
        "lead_ref,kind,happened_at,note,quoted_amount,author_email\n"
        f"Q-7,call,2025-06-03T10:00:00,Interested,,{berlin_org.rep.email}\n"
        "Q-8,quote,2025-06-04T09:00:00,,480,\n"
    )
    response = admin.post(FOLLOW_UPS, data=text, content_type="text/csv")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json == {"imported": 2, "leads": 2}
    leads = by_ref(admin)
    greta, hans = leads["Q-7"], leads["Q-8"]
    assert (greta["stage"], greta["last_follow_up_at"]) == ("contacted", "2025-06-03T08:00:00.000Z")
    assert hans["stage"] == "quoted"
    # The clock restarts from the import: follow-up cadence, not overdue since 2025.
    assert greta["sla"]["metric"] == "follow_up" and greta["sla"]["state"] == "ok"
    detail = admin.get(f"/api/v1/leads/{greta['id']}").json
    assert [(f["kind"], f["author_id"]) for f in detail["follow_ups"]] == [
        ("call", str(berlin_org.rep.id))
    ]
    bad = "lead_ref,kind,happened_at\nQ-404,call,2025-06-03\nQ-7,call,2025-06-01\n"
    fields = error_of(admin.post(FOLLOW_UPS, data=bad, content_type="text/csv"), 422)["fields"]
    assert (list(fields["2"]), list(fields["3"])) == (["lead_ref"], ["happened_at"])


def test_a_row_with_more_cells_than_the_header_is_named_with_the_others(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    text = "contact_name,source\nAnna,website,extra\n,website\nBen,website\n"
    fields = error_of(admin.post(LEADS, data=text, content_type="text/csv"), 422)["fields"]
    assert fields["2"] == {"row": ["3 cells; the header has 2."]}
    assert "contact_name" in fields["3"]
    assert set(fields) == {"2", "3"}


def test_a_bad_report_format_or_spend_filter_is_refused(api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    query = {"from": "2026-03-01", "to": "2026-03-31", "format": "xlsx"}
    assert "format" in error_of(admin.get("/api/v1/reports/inquiries", query_string=query), 422)[
        "fields"
    ]
    bad = admin.get("/api/v1/spend", query_string={"from": "2026-02-30"})
    assert "from" in error_of(bad, 422)["fields"]
