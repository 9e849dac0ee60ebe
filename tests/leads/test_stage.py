"""POST /leads/<id>/stage: the pipeline's moves, won and lost, reopening."""

from __future__ import annotations

import pytest

from app.leads.models import DEFAULT_LOST_REASONS, OPEN_STAGES
from tests.leads.helpers import LEADS, error_of, get_lead, new_lead


def move(api, lead_id, stage, expect=200, **extra):
    response = api.post(f"{LEADS}/{lead_id}/stage", json={"stage": stage, **extra})
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def test_a_lead_walks_the_pipeline_forward_to_won(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    version = lead["version"]
    for stage in ("contacted", "quoted", "negotiating"):
        moved = move(rep, lead["id"], stage)
        assert moved["stage"] == stage and moved["version"] > version
        version = moved["version"]
    won = move(rep, lead["id"], "won", won_value=1250.5)
    assert (won["stage"], won["won_value"]) == ("won", 1250.5)
    assert get_lead(rep, lead["id"])["stage"] == "won"


def test_stages_may_be_skipped_forward(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    assert move(rep, lead["id"], "negotiating")["stage"] == "negotiating"


@pytest.mark.parametrize("start, back", [("contacted", "new"), ("negotiating", "quoted")])
def test_open_stages_never_go_back(api_as, org, start, back):
    rep = api_as(org.rep)
    lead = new_lead(rep, stage=start)
    error = error_of(
        rep.post(f"{LEADS}/{lead['id']}/stage", json={"stage": back}), 422, "stage_not_allowed"
    )
    assert "stage" in error["fields"]
    assert get_lead(rep, lead["id"])["stage"] == start


def test_won_is_final(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    won = move(rep, lead["id"], "won", won_value=10)
    for target in (*OPEN_STAGES, "lost"):
        extra = {"lost_reason": "other"} if target == "lost" else {}
        error_of(
            rep.post(f"{LEADS}/{lead['id']}/stage", json={"stage": target, **extra}),
            422,
            "stage_not_allowed",
        )
    stored = get_lead(rep, lead["id"])
    assert (stored["stage"], stored["version"], stored["won_value"]) == ("won", won["version"], 10)


def test_won_needs_a_positive_value(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    for body in (
        {"stage": "won"},
        {"stage": "won", "won_value": 0},
        {"stage": "won", "won_value": -5},
    ):
        error = error_of(rep.post(f"{LEADS}/{lead['id']}/stage", json=body), 422)
        assert "won_value" in error["fields"]
    assert get_lead(rep, lead["id"])["stage"] == "new"


def test_lost_needs_a_reason_from_the_organisations_list(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    for body in ({"stage": "lost"}, {"stage": "lost", "lost_reason": "bad_weather"}):
        error = error_of(rep.post(f"{LEADS}/{lead['id']}/stage", json=body), 422)
        assert "lost_reason" in error["fields"]
    assert get_lead(rep, lead["id"])["stage"] == "new"
    for reason in DEFAULT_LOST_REASONS:
        lost = move(rep, lead["id"], "lost", lost_reason=reason)
        assert (lost["stage"], lost["lost_reason"]) == ("lost", reason)


def test_a_lost_lead_reopens_to_an_open_stage_and_forgets_its_reason(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, stage="quoted")
    move(rep, lead["id"], "lost", lost_reason="price_too_high")
    reopened = move(rep, lead["id"], "contacted")
    assert (reopened["stage"], reopened["lost_reason"]) == ("contacted", None)
    assert get_lead(rep, lead["id"])["lost_reason"] is None


def test_a_lost_lead_cannot_jump_to_won(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    move(rep, lead["id"], "lost", lost_reason="no_response")
    error_of(
        rep.post(f"{LEADS}/{lead['id']}/stage", json={"stage": "won", "won_value": 5}),
        422,
        "stage_not_allowed",
    )


def test_a_note_with_a_move_lands_in_the_timeline(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    move(rep, lead["id"], "lost", lost_reason="chose_competitor", note="Went with Globex")
    timeline = get_lead(rep, lead["id"])["follow_ups"]
    assert len(timeline) == 1
    assert timeline[0]["kind"] == "note"
    assert timeline[0]["note"] == "Went with Globex"
    assert timeline[0]["author_id"] == str(org.rep.id)
    assert rep.get(f"{LEADS}/{lead['id']}/followups").json == timeline


def test_a_refused_move_leaves_no_note(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, stage="quoted")
    error_of(rep.post(f"{LEADS}/{lead['id']}/stage", json={"stage": "new", "note": "oops"}), 422)
    assert get_lead(rep, lead["id"])["follow_ups"] == []


def test_nobody_outside_the_lead_moves_it(api_as, org, other_org):
    lead = new_lead(api_as(org.rep))
    for person in (org.rep2, org.cs, other_org.admin):
        error_of(
            api_as(person).post(f"{LEADS}/{lead['id']}/stage", json={"stage": "contacted"}), 404
        )
    assert get_lead(api_as(org.rep), lead["id"])["stage"] == "new"
