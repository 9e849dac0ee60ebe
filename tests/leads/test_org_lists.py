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


def test_a_lead_given_no_source_is_refused_when_nothing_may_stand_for_it(api_as, org, own_lists):
    # no default_source and no "other" in the list: no channel is guessed, the person chooses
    refused = api_as(org.rep).post(LEADS, json={"contact_name": "Ada"})
    assert error_of(refused, 422)["fields"] == {"source": ["Choose where this inquiry came from."]}
    device = Replica(api_as(org.rep))
    result = device.push(("lead.create", lead_args()))["results"][0]
    assert result["status"] == "rejected", result


def test_a_lead_given_no_source_takes_the_organisations_default_source(api_as, org, own_lists):
    admin = api_as(org.admin)
    assert own_lists["default_source"] is None
    assert admin.patch(ORG, json={"default_source": "Alibaba"}).json["default_source"] == "Alibaba"
    assert new_lead(api_as(org.rep))["source"] == "Alibaba"
    assert new_lead(api_as(org.rep), source="website")["source"] == "website"
    device = Replica(api_as(org.rep))
    device.push(("lead.create", lead_args()))
    device.pull_all()
    assert {lead["source"] for lead in device.of("lead").values()} == {"Alibaba", "website"}


def test_without_a_default_source_a_missing_source_is_recorded_as_other(api_as, org):
    # "other" says "not said": the old clients' (and API scripts') fallback, never a channel
    assert api_as(org.rep).get(ORG).json["default_source"] is None
    assert new_lead(api_as(org.rep))["source"] == "other"


def test_the_default_source_must_be_one_of_the_lead_sources(api_as, org, own_lists):
    admin = api_as(org.admin)
    before = admin.get(ORG).json
    for bad in ("walk_in", "", "   ", "x" * 41, 7):
        response = admin.patch(ORG, json={"default_source": bad})
        assert "default_source" in error_of(response, 422)["fields"], bad
    assert admin.get(ORG).json == before
    # set with the list in one request, then a list that drops it is refused until it goes
    body = admin.patch(ORG, json={"lead_sources": ["web", "fair"], "default_source": " fair "}).json
    assert (body["lead_sources"], body["default_source"]) == (["web", "fair"], "fair")
    refused = admin.patch(ORG, json={"lead_sources": ["web"]})
    assert "default_source" in error_of(refused, 422)["fields"]
    refused = admin.patch(ORG, json={"lead_sources": None})  # the defaults have no "fair"
    assert "default_source" in error_of(refused, 422)["fields"]
    body = admin.patch(ORG, json={"lead_sources": ["web"], "default_source": None}).json
    assert (body["lead_sources"], body["default_source"]) == (["web"], None)
    assert api_as(org.lead).patch(ORG, json={"default_source": "web"}).status_code == 403


def test_devices_receive_the_default_source_as_rest_answers_it(api_as, org):
    device = Replica(api_as(org.rep))
    device.pull_all()
    (settings,) = device.of("org").values()
    assert settings["default_source"] is None
    body = api_as(org.admin).patch(ORG, json={"default_source": "referral"}).json
    answer = device.pull_page()
    assert [c["entity"] for c in answer["changes"]] == ["org"]
    (settings,) = device.of("org").values()
    assert settings == body == api_as(org.rep).get(ORG).json
    assert settings["default_source"] == "referral"


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
