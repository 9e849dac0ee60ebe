"""An organisation's own lists of lead sources and lost reasons: set by its admin, enforced on
every new choice, and carried to devices by sync (the ``org`` entity) so they work offline."""

from __future__ import annotations

import pytest

from app.leads.models import DEFAULT_LOST_REASONS, DEFAULT_SOURCES
from tests.leads.helpers import LEADS, error_of, new_lead
from tests.sync.syncing import Replica
from tests.sync.syncing import new_lead as lead_args

ORG = "/api/v1/org"
OWN_SOURCES = ["website", "Alibaba", "trade_show"]
OWN_REASONS = ["price_too_high", "Delivery time too long"]


@pytest.fixture
def own_lists(api_as, org):
    response = api_as(org.admin).patch(
        ORG, json={"lead_sources": OWN_SOURCES, "lost_reasons": OWN_REASONS}
    )
    assert response.status_code == 200, response.json
    return response.json


def test_the_defaults_are_shown_until_the_admin_sets_lists(api_as, org):
    body = api_as(org.rep).get(ORG).json
    assert body["lead_sources"] == list(DEFAULT_SOURCES)
    assert body["lost_reasons"] == list(DEFAULT_LOST_REASONS)


def test_new_choices_must_come_from_the_organisations_lists(api_as, org, own_lists):
    assert own_lists["lead_sources"] == OWN_SOURCES
    rep = api_as(org.rep)
    refused = rep.post(LEADS, json={"contact_name": "Ada", "source": "walk_in"})
    assert "source" in error_of(refused, 422)["fields"]
    lead = new_lead(rep, source="Alibaba")
    refused = rep.post(
        f"{LEADS}/{lead['id']}/stage", json={"stage": "lost", "lost_reason": "no_response"}
    )
    assert "lost_reason" in error_of(refused, 422)["fields"]
    lost = rep.post(
        f"{LEADS}/{lead['id']}/stage",
        json={"stage": "lost", "lost_reason": "Delivery time too long"},
    )
    assert lost.status_code == 200, lost.json
    assert lost.json["lost_reason"] == "Delivery time too long"


def test_a_lead_given_no_source_takes_one_the_organisation_allows(api_as, org, own_lists):
    # the organisation's list has no "other": the first of its own is the default
    lead = new_lead(api_as(org.rep))
    assert lead["source"] == OWN_SOURCES[0]


def test_a_lead_keeps_a_source_the_organisation_later_dropped(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, source="walk_in")
    api_as(org.admin).patch(ORG, json={"lead_sources": ["website"]})
    edited = rep.patch(f"{LEADS}/{lead['id']}", json={"set": {"notes": "still walk-in"}})
    assert edited.status_code == 200, edited.json
    assert rep.get(f"{LEADS}/{lead['id']}").json["source"] == "walk_in"


def test_null_restores_the_default_lists(api_as, org, own_lists):
    body = api_as(org.admin).patch(ORG, json={"lead_sources": None}).json
    assert body["lead_sources"] == list(DEFAULT_SOURCES)
    assert body["lost_reasons"] == OWN_REASONS


@pytest.mark.parametrize(
    "lists, field",
    [
        ({"lead_sources": []}, "lead_sources"),
        ({"lead_sources": ["web", "Web "]}, "lead_sources"),
        ({"lead_sources": ["x" * 41]}, "lead_sources"),
        ({"lead_sources": ["  "]}, "lead_sources"),
        ({"lost_reasons": "price"}, "lost_reasons"),
        ({"lost_reasons": [1, 2]}, "lost_reasons"),
        ({"lost_reasons": [f"r{i}" for i in range(51)]}, "lost_reasons"),
    ],
)
def test_bad_lists_are_refused_and_change_nothing(api_as, org, lists, field):
    admin = api_as(org.admin)
    before = admin.get(ORG).json
    response = admin.patch(ORG, json=lists)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert admin.get(ORG).json == before


def test_only_an_admin_sets_the_lists(api_as, org):
    response = api_as(org.lead).patch(ORG, json={"lead_sources": ["website"]})
    assert response.status_code == 403


def test_devices_receive_the_lists_and_their_changes_by_sync(api_as, org, other_org):
    device = Replica(api_as(org.rep))
    device.pull_all()
    (settings,) = device.of("org").values()
    assert settings["id"] == str(org.id)
    assert settings["lead_sources"] == list(DEFAULT_SOURCES)

    api_as(org.admin).patch(ORG, json={"lead_sources": OWN_SOURCES, "lost_reasons": OWN_REASONS})
    api_as(other_org.admin).patch(ORG, json={"lead_sources": ["elsewhere"]})
    answer = device.pull_page()
    assert [c["entity"] for c in answer["changes"]] == ["org"]
    (settings,) = device.of("org").values()
    assert settings["lead_sources"] == OWN_SOURCES
    assert settings["lost_reasons"] == OWN_REASONS
    assert settings["version"] > 0

    # an unchanged save is no change for devices
    api_as(org.admin).patch(ORG, json={"lead_sources": OWN_SOURCES})
    assert device.pull_page()["changes"] == []
    # and a capture offline with the new list is taken
    assert device.push(("lead.create", lead_args(source="Alibaba")))["results"][0]["status"] == (
        "applied"
    )
