"""CSV import: rows naming no owner go where the assignment rules send them."""

from __future__ import annotations

from collections import Counter

from tests.assignment.conftest import add_rule, new_person, new_team
from tests.imports.test_import_leads import by_ref, send


def test_rows_without_an_owner_are_routed_and_shared_out_within_the_file(app, admin_api, org):
    field = new_team(app, org, "Field")
    anna, ben = new_person(app, org, "anna", [field]), new_person(app, org, "ben", [field])
    berlin = add_rule(
        admin_api, name="Berlin", match={"region_prefix": "10"}, owner_id=str(org.rep2.id)
    )
    rest = add_rule(admin_api, name="Field", team_id=str(field))
    # Anna already has one open lead.
    assert admin_api.post(
        "/api/v1/leads", json={"contact_name": "Old", "owner_id": str(anna)}
    ).status_code == 201  # fmt: skip
    csv_text = (
        "external_ref,contact_name,region,owner_email,stage\r\n"
        f"R-1,Named,10115 Berlin,{org.rep.email},new\r\n"
        "R-2,Berliner,10115 Berlin,,new\r\n"
        "R-3,One,Hamburg,,new\r\n"
        "R-4,Two,Hamburg,,new\r\n"
        "R-5,Three,,,new\r\n"
        "R-6,Four,,,contacted\r\n"
        "R-7,Five,,,new\r\n"
    )
    assert send(admin_api, csv_text) == {"imported": 7, "duplicates_flagged": 0}
    leads = by_ref(admin_api)
    # A named owner stands, whatever the rules say.
    assert (leads["R-1"]["owner_id"], leads["R-1"]["assigned_by_rule"]) == (str(org.rep.id), None)
    assert (leads["R-2"]["owner_id"], leads["R-2"]["assigned_by_rule"]) == (
        str(org.rep2.id), berlin["id"]
    )  # fmt: skip
    # Five rows for the team: Ben (0 open) and Anna (1 open) end level at three each —
    # each row counts the ones before it in the same file.
    team_rows = [leads[f"R-{n}"] for n in range(3, 8)]
    assert {lead["assigned_by_rule"] for lead in team_rows} == {rest["id"]}
    assert {lead["team_id"] for lead in team_rows} == {str(field)}
    assert Counter(lead["owner_id"] for lead in team_rows) == {str(ben): 3, str(anna): 2}


def test_without_rules_the_importer_keeps_ownerless_rows(admin_api, org):
    assert send(admin_api, "external_ref,contact_name\r\nR-1,Nobody's\r\n")["imported"] == 1
    lead = by_ref(admin_api)["R-1"]
    assert (lead["owner_id"], lead["assigned_by_rule"]) == (str(org.admin.id), None)
