"""The registry of synced entities is the one list: what pull sends, what push accepts,
what is stored at write and what the OpenAPI document names all come from it, and REST
answers each entity in the same wire form its feed sends."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

import marshmallow as ma
import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import BigInteger, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as orm_registry

from app.accounts.models import Organization
from app.accounts.permissions import may_assign_leads, require, viewer_of
from app.accounts.schemas import OrganizationSchema, UserSchema
from app.accounts.wire import org_wire, user_wire
from app.changelog import registry, versions
from app.changelog.registry import Mutation, SyncedEntity, applied, everyone, never_deleted
from app.database import TenantScoped, UTCDateTime
from app.extensions import db
from app.sla.models import SlaPolicy
from app.sla.schemas import SlaPolicySchema
from app.sla.wire import policy_wire
from app.sync import entities  # noqa: F401  (fills the registry)
from app.sync.pull import Cursor, encode_cursor
from app.tenancy import tenant
from tests.sync.syncing import Replica, new_lead

ENTITIES = [
    "org",
    "product",
    "sla_policy",
    "user",
    "calendar",
    "lead",
    "followup",
    "question",
    "reply",
    "canned_answer",
]
OFFICE_HOURS = {
    "name": "Office hours",
    "kind": "sales",
    "definition": {
        "timezone": "Europe/Berlin",
        "weekly": {"mon": [{"start": "09:00", "end": "17:00"}]},
    },
}


def test_the_registry_lists_every_entity_in_snapshot_order():
    # Reference data first, a lead before its follow-ups.
    assert registry.entity_names() == ENTITIES
    assert set(registry.mutation_names()) == {
        "lead.create",
        "lead.update",
        "lead.set_stage",
        "lead.assign",
        "followup.create",
        "question.claim",
        "question.reply",
        "question.resolve",
        "question.convert",
    }
    stored = {e.name for e in registry.stored_entities()}
    assert stored == {"lead", "followup"}
    for entity in registry.stored_entities():  # a stored change needs somewhere to live
        assert {"wire_change", "wire_version"} <= set(entity.table.c.keys())


def test_the_openapi_document_names_the_registered_entities_and_mutations(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schemas["Change"]["properties"]["entity"]["enum"] == registry.entity_names()
    assert schemas["Mutation"]["properties"]["name"]["enum"] == registry.mutation_names()


def test_a_second_entity_or_mutation_of_one_name_is_refused():
    lead = registry.entities()[registry.entity_names().index("lead")]
    registry.register(lead)  # the same entity again: nothing happens
    assert registry.entity_names() == ENTITIES
    impostor = SyncedEntity("lead", lead.model, everyone, never_deleted, lambda r: {})
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(impostor)
    assert registry.entity_names() == ENTITIES


def test_a_first_sync_sends_every_registered_entity(api_as, org, client):
    admin = api_as(org.admin)
    slug = admin.get("/api/v1/org").json["slug"]
    body = {"name": "Dana", "email": "dana@example.com", "message": "Does it fold?"}
    assert client.post(f"/api/v1/public/{slug}/questions", json=body).status_code == 201
    admin.post("/api/v1/canned-answers", json={"title": "Hello", "body": "Hello!"})
    admin.post("/api/v1/products", json={"name": "Widget", "sku": "W-1"})
    admin.post(
        "/api/v1/sla/policies",
        json={"name": "Fast", "metric": "first_response", "target_minutes": 30},
    )
    admin.post("/api/v1/sla/calendars", json=OFFICE_HOURS)
    lead = admin.post("/api/v1/leads", json={"contact_name": "Ada"}).json
    admin.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={"kind": "call", "happened_at": "2026-01-01T00:00:00Z"},
    )
    device = Replica(admin)
    device.pull_all()
    assert {entity for entity, _ in device.records} == set(registry.entity_names())


def test_rest_answers_people_the_org_and_policies_as_their_feeds_send_them(api_as, org):
    admin = api_as(org.admin)
    policy = admin.post(
        "/api/v1/sla/policies",
        json={"name": "Fast", "metric": "first_response", "target_minutes": 30},
    ).json
    calendar = admin.post("/api/v1/sla/calendars", json=OFFICE_HOURS).json
    device = Replica(admin)
    device.pull_all()
    assert device.of("sla_policy")[policy["id"]] == policy
    # Every field REST answers of a calendar is the feed's, value for value.
    synced = device.of("calendar")[calendar["id"]]
    assert {k: synced[k] for k in calendar} == calendar
    listed = {c["id"]: c for c in admin.get("/api/v1/sla/calendars").json}
    assert {i: {k: c[k] for k in calendar} for i, c in device.of("calendar").items()} == listed
    assert device.of("org")[str(org.id)] == admin.get("/api/v1/org").json
    for person in admin.get("/api/v1/users").json:
        assert device.of("user")[person["id"]] == person
        assert admin.get(f"/api/v1/users/{person['id']}").json == person
    assert admin.get("/api/v1/auth/me").json["user"] == device.of("user")[str(org.admin.id)]


def _documented(schema_class) -> set[str]:
    return {name for name, f in schema_class().fields.items() if not f.load_only}


def test_each_wire_form_is_what_its_schema_documents(app, org):
    with app.app_context(), tenant(org.id):
        user = org.user(org.admin)
        assert set(user_wire(user)) == _documented(UserSchema)
        assert set(org_wire(db.session.get(Organization, org.id))) == _documented(
            OrganizationSchema
        )
        policy = SlaPolicy(
            org_id=org.id, id=uuid.uuid4(), name="x", item_type="lead", metric="follow_up"
        )
        assert set(policy_wire(policy)) == _documented(SlaPolicySchema)
        db.session.rollback()


def _cursor(api, org, person, **fields) -> str:
    """A snapshot cursor made as the server makes them."""
    with api.client.application.app_context(), tenant(org.id):
        viewer = viewer_of(org.user(person))
        return encode_cursor(
            Cursor(
                viewer.org_id.hex, viewer.user_id.hex, viewer.scope_fingerprint, 0, "s", **fields
            )
        )


def test_a_snapshot_sends_every_kind_it_has_not_sent_whole_wherever_it_stands(api_as, org):
    """A release that registers a new entity before kinds a device's snapshot has already
    passed must still send it whole: the cursor names the kinds done, not a position."""
    admin = api_as(org.admin)
    policy = admin.post(
        "/api/v1/sla/policies",
        json={"name": "Fast", "metric": "first_response", "target_minutes": 30},
    ).json
    lead = admin.post("/api/v1/leads", json=new_lead(contact_name="Ada")).json
    # As if sla_policy were new: the device had sent org, product, user and some leads.
    device = Replica(admin)
    device.cursor = _cursor(
        admin, org, org.admin, high=10**9, feed="lead", after=0, done=("org", "product", "user")
    )
    device.pull_all()
    assert policy["id"] in device.of("sla_policy")
    assert lead["id"] in device.of("lead")
    assert not device.of("org") and not device.of("user")  # sent before, not again


def test_a_version_1_cursor_from_the_previous_release_continues(app, api_as, org):
    admin = api_as(org.admin)
    lead = admin.post("/api/v1/leads", json=new_lead(contact_name="Ada")).json
    with app.app_context(), tenant(org.id):
        viewer = viewer_of(org.user(org.admin))
        serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt="leadsync.sync-cursor")
        # [version, org, user, scope, confirmed_mid, mode, high, feed index, after]: the
        # snapshot stood at "user" (index 3), having sent org, product and sla_policy.
        old = serializer.dumps(
            [
                1,
                viewer.org_id.hex,
                viewer.user_id.hex,
                viewer.scope_fingerprint,
                0,
                "s",
                10**9,
                3,
                0,
            ]
        )
    device = Replica(admin)
    device.cursor = old
    answers = device.pull_all()
    assert not answers[0]["reset"]
    assert {e for e, _ in device.records} == {"user", "lead"}
    assert lead["id"] in device.of("lead")


def test_the_pwa_entity_table_names_the_same_entities_and_mutations():
    """The PWA mirrors the registry with its own table (pwa/src/sync/entities.js): every
    entity the server sends has a store there, and every mutation an apply."""
    source = (Path(__file__).parents[2] / "pwa" / "src" / "sync" / "entities.js").read_text()
    table = source[source.index("export const ENTITIES = [") :]
    table = table[: table.index("\n];")]
    assert re.findall(r"^    name: '([a-z_]+)'", table, re.MULTILINE) == registry.entity_names()
    pwa_mutations = re.findall(r"'([a-z_]+\.[a-z_]+)': \{", table)
    assert sorted(pwa_mutations) == sorted(registry.mutation_names())


# --- a new kind of record, as a newcomer would add it ----------------------------------------
#
# What a new package brings: its table, a wire serializer, a role-guarded service function,
# and a SyncedEntity with its mutation; then one registration line. Nothing in sync, push,
# pull or the change log is touched.


class _Base(DeclarativeBase):
    """The app's column types, in a metadata of the test's own (the migrations check is
    about the app's tables)."""

    registry = orm_registry(type_annotation_map={datetime: UTCDateTime, uuid.UUID: Uuid})


class Bulletin(TenantScoped, _Base):
    """A notice to the whole sales floor; team leads and admins post them."""

    __tablename__ = "test_bulletins"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-100)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class BulletinArgs(ma.Schema):
    id = ma.fields.UUID(required=True)
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


def bulletin_wire(r) -> dict:
    return {"id": str(r.id), "text": r.text, "version": r.version}


def post_bulletin(actor, args: dict) -> Bulletin:
    require(may_assign_leads(actor), "Only team leads and admins post bulletins.")
    bulletin = Bulletin(org_id=actor.org_id, id=args["id"], text=args["text"])
    versions.stamp(bulletin)
    db.session.add(bulletin)
    db.session.flush()
    return bulletin


BULLETIN = SyncedEntity(
    "bulletin",
    Bulletin,
    everyone,
    never_deleted,
    bulletin_wire,
    mutations=(
        Mutation("bulletin.post", BulletinArgs, lambda actor, a: applied(post_bulletin(actor, a))),
    ),
)


@pytest.fixture
def bulletins(app):
    with app.app_context():
        _Base.metadata.create_all(db.engine)
    registry.register(BULLETIN)  # the one registration line
    yield BULLETIN
    registry.unregister("bulletin")
    with app.app_context():
        db.session.remove()
        _Base.metadata.drop_all(db.engine)


def test_a_new_kind_needs_its_package_and_one_registration_line(api_as, org, bulletins):
    rep_phone, lead_phone = Replica(api_as(org.rep)), Replica(api_as(org.lead))
    rep_phone.pull_all()  # synced before the kind existed: it follows incrementally
    text = "Trade fair stand is booked: hall 4"
    refused = rep_phone.push(("bulletin.post", {"id": str(uuid.uuid4()), "text": "Hi"}))
    assert refused["results"][0]["status"] == "rejected"
    assert refused["results"][0]["error"]["code"] == "forbidden"
    too_long = lead_phone.push(("bulletin.post", {"id": str(uuid.uuid4()), "text": "x" * 201}))
    assert too_long["results"][0]["error"]["fields"] == {
        "text": ["Length must be between 1 and 200."]
    }
    posted_id = str(uuid.uuid4())
    answer = lead_phone.push(("bulletin.post", {"id": posted_id, "text": text}))
    assert answer["results"][0]["status"] == "applied"

    rep_phone.pull_all()
    assert rep_phone.of("bulletin") == {
        posted_id: {
            "id": posted_id,
            "text": text,
            "version": rep_phone.of("bulletin")[posted_id]["version"],
        }
    }
    new_phone = Replica(api_as(org.admin))
    new_phone.pull_all()  # a first sync sends it whole, after the kinds before it
    assert new_phone.of("bulletin")[posted_id]["text"] == text
    assert list(dict.fromkeys(e for e, _ in new_phone.records))[-1] == "bulletin"
