"""A demo organisation, so a newcomer has something to sign in to and look at.

"Demo Trading Co." sells machines to German businesses: two field-sales teams, a
customer-service desk, a small catalogue, SLA policies, business calendars and ~200
inquiries over the last 18 months in every stage of the pipeline, with their calls, visits,
quotes and notes, and the marketing spend of those months per channel in the spend ledger
(so every report, the publicity cost table too, has figures for this month, last quarter
and a year ago). Everything is written by the real services with the application's clock
set to the moment it happened (``app.database.set_clock``), so versions, stored sync
changes, stage histories (``closed_at``, ``quoted_at``) and SLA clocks are what they would
be had it happened; then the SLA check runs over the recent past up to now, the way the
scheduler would have, so overdue leads are breached and escalated with their history in
``sla_events``.

The evening service desk is there too (``_Demo.desk``): the products' specs and FAQs, canned
answers, assignment rules and a default owner, and the last ten evenings of consumers'
questions — answered by Casey (from canned answers too), noted, written back to, resolved or
handed to sales as leads that the rules gave out — with, as the demo is loaded, a few
questions waiting, one of them already past its reply deadline.

A seeded ``random.Random`` makes the demo the same on every load (relative to the moment it
is loaded), except for the passwords.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app import database
from app.accounts import service as accounts
from app.accounts.models import Organization, Team, User
from app.business_time import WEEKDAYS, BusinessCalendar
from app.changelog import versions as changes
from app.extensions import db
from app.leads.models import CONTACT_KINDS
from app.tenancy import tenant

ORG_NAME = "Demo Trading Co."
ZONE = "Europe/Berlin"
CURRENCY = "EUR"
SEED = 11
LEAD_COUNT = 200
# About 18½ months: enough that last quarter, even seen at the end of a quarter, has a whole
# year-ago quarter to compare with.
HISTORY_DAYS = 565

TEAMS = {"north": "Field Sales North", "south": "Field Sales South"}
# (role, name, email, team). The first five are the sign-ins the README, the browser tests
# and bench/two_devices.py know.
DEMO_PEOPLE = (
    ("admin", "Avery Admin", "admin@demo.leadsync.test", None),
    ("lead", "Lee Lead", "lead@demo.leadsync.test", "north"),
    ("rep", "Robin Rep", "robin@demo.leadsync.test", "north"),
    ("rep", "Riley Rep", "riley@demo.leadsync.test", "north"),
    ("cs", "Casey Service", "casey@demo.leadsync.test", None),
    ("rep", "Sam Rep", "sam@demo.leadsync.test", "north"),
    ("lead", "Morgan Lead", "morgan@demo.leadsync.test", "south"),
    ("rep", "Jamie Rep", "jamie@demo.leadsync.test", "south"),
    ("rep", "Alex Rep", "alex@demo.leadsync.test", "south"),
)
# Who owns how many of the generated leads (team leads keep a few key accounts).
OWNER_WEIGHTS = {
    "robin@demo.leadsync.test": 14,
    "riley@demo.leadsync.test": 12,
    "sam@demo.leadsync.test": 10,
    "lead@demo.leadsync.test": 4,
    "jamie@demo.leadsync.test": 20,
    "alex@demo.leadsync.test": 19,
    "morgan@demo.leadsync.test": 6,
}

# (name, sku, list price)
DEMO_PRODUCTS = (
    ("Industrial mixer M200", "MX-200", "12500.00"),
    ("Conveyor belt module", "CB-10", "3400.00"),
    ("Spare parts kit", "SP-KIT", "480.00"),
    ("Industrial mixer M400", "MX-400", "21900.00"),
    ("Dosing pump DP-50", "DP-50", "2150.00"),
    ("Stainless tank 2000 l", "ST-2000", "9600.00"),
    ("Control cabinet CC-3", "CC-3", "7800.00"),
    ("Maintenance contract (1 year)", "SVC-1Y", "1900.00"),
)
TYPED_PRODUCTS = ("Used conveyor line", "Custom mixing hopper", "Retrofit of an old mixer")

# The five leads the browser tests and the README's walk-through look for: (owner, contact,
# company, phone, source, product index, value, priority, hours until the next follow-up is
# due (negative: overdue), what happened: None (no answer yet) or the follow-up kind).
DEMO_LEADS = (
    ("robin", "Jonas Weber", "Weber Bau GmbH", "030 1234567", "website", 0, "25000", "high", -3,
     None),
    ("robin", "Mia Schulz", "Schulz Logistik", "+49 40 555123", "trade_show", 1, "6800",
     "normal", 2, "call"),
    ("robin", "Lukas Becker", None, "0171 2345678", "phone", None, None, "normal", 26, "visit"),
    ("riley", "Emma Fischer", "Fischer Foods AG", "089 987654", "marketplace", 2, "960",
     "urgent", -1, None),
    ("riley", "Noah Wagner", "Wagner Metall", "0221 445566", "referral", 0, "12500", "normal",
     48, "quote"),
)  # fmt: skip

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elias", "Finn", "Greta", "Hannah", "Ida", "Jan",
    "Julia", "Karl", "Lea", "Leon", "Lina", "Luis", "Marie", "Max", "Nele", "Ole", "Paul",
    "Sophie", "Tim", "Theo", "Vanessa", "Moritz", "Katharina", "Stefan", "Sabine", "Thomas",
    "Petra", "Markus", "Andrea", "Frank", "Birgit", "Uwe", "Claudia", "Jens", "Heike", "Dirk",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Meyer", "Hoffmann", "Koch", "Richter", "Klein",
    "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
    "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schmid",
    "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser",
    "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
)  # fmt: skip
COMPANY_KINDS = (
    "Bau GmbH", "Logistik GmbH", "Metallbau KG", "Lebensmittel AG", "Maschinenbau GmbH",
    "Brauerei", "Bäckerei", "Chemie GmbH", "Recycling GmbH", "Kunststofftechnik",
    "Futtermittel GmbH", "Getränke KG", "Baustoffe GmbH", "Agrar eG", "Farben & Lacke",
)  # fmt: skip
# (city, area code, team)
CITIES = (
    ("Hamburg", "40", "north"), ("Bremen", "421", "north"), ("Hannover", "511", "north"),
    ("Berlin", "30", "north"), ("Kiel", "431", "north"), ("Rostock", "381", "north"),
    ("München", "89", "south"), ("Nürnberg", "911", "south"), ("Stuttgart", "711", "south"),
    ("Augsburg", "821", "south"), ("Regensburg", "941", "south"), ("Freiburg", "761", "south"),
)  # fmt: skip
RESERVED_NAMES = {lead[1] for lead in DEMO_LEADS}

SOURCE_WEIGHTS = {
    "website": 24,
    "phone": 18,
    "trade_show": 12,
    "marketplace": 10,
    "referral": 12,
    "walk_in": 5,
    "customer_service": 10,
    "other": 4,
}
PRIORITY_WEIGHTS = {"low": 14, "normal": 58, "high": 20, "urgent": 8}
LOST_EARLY = {"no_response": 6, "no_matching_product": 3, "channel_conflict": 1, "other": 1}
LOST_LATE = {
    "price_too_high": 7,
    "chose_competitor": 4,
    "customisation_needed": 2,
    "no_response": 1,
    "other": 1,
}

# Marketing spend per channel, in EUR, as the business of the demo's months paid it
# (amounts grow with the business, from 70 % to 130 % over the months; walk-ins and
# customer service cost nothing apart). Search ads are booked weekly, on Mondays; fees on
# the first of the month, so this month has spend from its first day.
WEEKLY_SPEND = {"website": (180, "Search ads")}
MONTHLY_SPEND = {
    "marketplace": (290, "Marketplace listing and featured placement"),
    "phone": (120, "Business directory listing"),
    "referral": (300, "Referral bonuses paid to customers"),
}
# Every other month (odd months): an advert in the trade magazine.
BIMONTHLY_SPEND = {"other": (780, "Advert in the trade magazine")}
# Trade fairs (month: note): booth, travel and samples.
TRADE_FAIRS = {
    3: "Booth at the food processing fair, Nürnberg",
    6: "Booth at the regional industry fair, Hannover",
    9: "Booth at the packaging fair, Düsseldorf",
    11: "Booth at the construction machinery fair, München",
}

# Below this value (EUR) a recent inquiry is often a quick sale: quoted and ordered in days.
QUICK_SALE_BELOW = 5000

# Business minutes: the sales calendar's day is 10 hours.
DAY = 600

# SLA policies: (name, metric, priority, source, target minutes, escalate after minutes)
DEMO_POLICIES = (
    ("Answer every inquiry within 2 business hours", "first_response", None, None, 120, 120),
    ("Urgent inquiries: answer within 30 minutes", "first_response", "urgent", None, 30, 60),
    ("Website inquiries: answer within 1 hour", "first_response", None, "website", 60, 120),
    ("Follow up at least every 3 business days", "follow_up", None, None, 3 * DAY, DAY),
)


# --- the evening service desk (issue 13) -----------------------------------------------------

# What customer service tells consumers about each product (by SKU): a short spec and the
# questions consumers ask most, as an admin would type them.
PRODUCT_FACTS = {
    "MX-200": (
        "Batch mixer, 200 l bowl, stainless steel AISI 304.\n"
        "Motor 5.5 kW, 400 V 3-phase, two speeds and reverse.\n"
        "Footprint 120 × 90 cm, height 165 cm, weight 640 kg.\n"
        "CE marked; lid safety switch and emergency stop.",
        "Q: Does it run on a normal socket?\nA: No: it needs 400 V (a 16 A CEE socket).\n"
        "Q: Can it knead heavy dough?\nA: Yes, up to 120 kg of dough per batch.\n"
        "Q: Is it delivered assembled?\nA: Yes, on a pallet; our technician commissions it.",
    ),
    "MX-400": (
        "Batch mixer, 400 l bowl, stainless steel AISI 316L.\n"
        "Motor 11 kW, 400 V 3-phase, frequency-controlled speed.\n"
        "Footprint 160 × 120 cm, height 190 cm, weight 1,150 kg.\n"
        "Bowl tilts for emptying; CIP connection optional.",
        "Q: Does it fit through a standard door?\nA: It needs 1.30 m of width; we can deliver "
        "it in two parts.\nQ: Is the bowl food-safe?\nA: Yes, 316L with certificate.\n"
        "Q: Lead time?\nA: Usually 6–8 weeks (built to order).",
    ),
    "CB-10": (
        "Belt conveyor module, 1 m long, belt width 400 mm.\n"
        "Load up to 50 kg/m, speed 0.1–0.5 m/s (230 V geared motor).\n"
        "Modules couple end to end; legs adjustable 70–95 cm.",
        "Q: Can modules be joined into a longer line?\nA: Yes, any number; one motor drives "
        "up to 6 m.\nQ: Food-grade belt?\nA: Yes, a blue FDA/EU belt is an option.\n"
        "Q: In stock?\nA: Usually, ships within a week.",
    ),
    "SP-KIT": (
        "Wear parts for the M200/M400 mixers: seals, bearings, a V-belt set and the lid "
        "gasket, in a labelled case.",
        "Q: Which machines does it fit?\nA: Every M200 and M400 built since 2015.\n"
        "Q: How often should the seals be changed?\nA: Once a year in two-shift use.\n"
        "Q: Delivery?\nA: In stock; sent the next working day.",
    ),
    "DP-50": (
        "Peristaltic dosing pump, 0.5–50 l/h, accuracy ±1 %.\n"
        "230 V, 4–20 mA and pulse input, IP65 housing.\n"
        "Tubing in Norprene or silicone.",
        "Q: Can it dose syrup?\nA: Yes, up to 5,000 mPa·s with the large tube.\n"
        "Q: How long does a tube last?\nA: About 2,000 operating hours.",
    ),
    "ST-2000": (
        "Storage tank, 2,000 l, stainless steel AISI 304, dished bottom.\n"
        "Diameter 130 cm, height 210 cm, on four adjustable legs.\n"
        "Manhole, level gauge and DN50 outlet; insulation optional.",
        "Q: Can it be heated?\nA: With the optional jacket, up to 90 °C.\n"
        "Q: Is it suitable for food?\nA: Yes, inside ground to Ra ≤ 0.8 µm.\n"
        "Q: Lead time?\nA: 5–7 weeks.",
    ),
    "CC-3": (
        'Control cabinet for up to three machines: PLC, 7" touch panel, emergency stop '
        "circuit.\n400 V supply, IP54, 80 × 60 × 30 cm, wall mounted.",
        "Q: Does it control machines of other makes?\nA: Often: we check the wiring plans "
        "first.\nQ: Remote access?\nA: Yes, through a VPN router (option).",
    ),
    "SVC-1Y": (
        "One year of maintenance for one machine: two inspections, wear parts at cost, "
        "priority call-out within 48 hours on working days.",
        "Q: What does a call-out cost on top?\nA: Nothing within Germany for covered "
        "machines.\nQ: Can it cover machines we bought elsewhere?\nA: After a first inspection.",
    ),
}

# Canned answers: (key, author email, title, body, product SKU or None, tags).
CANNED_ANSWERS = (
    (
        "greeting", "admin@demo.leadsync.test", "Greeting",
        "Good evening {{consumer.name}},\n\nthank you for your message to {{org.name}}. "
        "I am looking into it and will come back to you shortly.\n\n{{staff.name}}",
        None, ["greeting"],
    ),
    (
        "delivery", "admin@demo.leadsync.test", "Delivery times",
        "Hello {{consumer.name}},\n\nmachines we keep in stock leave our warehouse within 5 "
        "working days and arrive 1–3 days later anywhere in Germany. Machines built to order "
        "(the M400 mixer, tanks, control cabinets) take 5–8 weeks. Our technician commissions "
        "every machine on site.\n\nKind regards, {{staff.name}}, {{org.name}}",
        None, ["delivery", "lieferzeit"],
    ),
    (
        "warranty", "lead@demo.leadsync.test", "Warranty",
        "Hello {{consumer.name}},\n\nall our machines come with 24 months' warranty on parts "
        "and labour from commissioning, and wear parts are covered for 6 months. With a "
        "maintenance contract the warranty is extended to 36 months.\n\n"
        "Kind regards, {{staff.name}}, {{org.name}}",
        None, ["warranty", "garantie"],
    ),
    (
        "price", "lead@demo.leadsync.test", "Price question",
        "Hello {{consumer.name}},\n\nthe {{product.name}} lists at {{product.list_price}} (net, "
        "plus VAT, delivered and commissioned in Germany). For several machines or a "
        "maintenance contract our field sales team makes you an offer: shall I ask a "
        "colleague to call you?\n\n{{staff.name}}, {{org.name}}",
        None, ["price", "preis"],
    ),
    (
        "parts", "admin@demo.leadsync.test", "Spare parts kit: what is in it",
        "Hello {{consumer.name}},\n\nthe {{product.name}} ({{product.list_price}}) holds the "
        "seals, bearings, V-belts and lid gasket of the M200 and M400 mixers. It is in stock "
        "and ships the next working day.\n\n{{staff.name}}",
        "SP-KIT", ["parts", "mixer"],
    ),
    (
        "sales", "morgan@demo.leadsync.test", "Handed to field sales",
        "Hello {{consumer.name}},\n\nI have passed your request to our field sales team: the "
        "colleague for your region will call you within one working day with an offer.\n\n"
        "Kind regards, {{staff.name}}, {{org.name}}",
        None, ["sales", "offer"],
    ),
)  # fmt: skip

# Assignment rules, in order: (name, match, owner email | team key). Postcodes in Germany
# start with a digit per area: the north team covers 1… (Berlin, the north-east), 2…
# (Hamburg, Bremen, Schleswig-Holstein) and Hannover (30…); the south team Bavaria (8…,
# 9…) and Baden-Württemberg (7…). Whatever no rule routes goes to the default owner.
ASSIGNMENT_RULES = (
    ("Spare parts kits: Sam, wherever they go", {"product": "SP-KIT"}, "sam@demo.leadsync.test"),
    ("Bavaria (postcodes 8…)", {"region_prefix": "8"}, "south"),
    ("Bavaria and Franconia (postcodes 9…)", {"region_prefix": "9"}, "south"),
    ("Baden-Württemberg (postcodes 7…)", {"region_prefix": "7"}, "south"),
    ("Berlin and the north-east (postcodes 1…)", {"region_prefix": "1"}, "north"),
    ("Hamburg, Bremen, Schleswig-Holstein (postcodes 2…)", {"region_prefix": "2"}, "north"),
    ("Hannover (postcodes 30…)", {"region_prefix": "30"}, "north"),
)
DEFAULT_OWNER = "lead@demo.leadsync.test"


@dataclass(frozen=True)
class Conversation:
    """One consumer's question and what the desk did with it.

    ``reply``: Casey's answer, or ``"canned:<key>"`` (a canned answer filled in for the
    question, as the desk inserts it) with an optional line after it (``"canned:key|…"``).
    ``again``: the consumer writes back a day later; ``answer_again``: Casey's reply to that.
    ``ending``: ``"resolve"``, ``"open"`` (waiting for the consumer), ``"convert"`` (handed
    to sales with ``quantity`` and ``hand_note``, then resolved) or ``"again_now"`` (the
    consumer wrote back this evening: a reply is owed)."""

    name: str
    contact: str  # an email address, or a phone number
    product: int | str | None  # an index into DEMO_PRODUCTS, or a product typed in
    region: str | None
    message: str
    reply: str
    note: str | None = None
    again: str | None = None
    answer_again: str | None = None
    ending: str = "resolve"
    later: str | None = None  # ending "again_now": what the consumer writes this evening
    quantity: int | None = None
    hand_note: str | None = None
    off_hours: bool = False  # asked through the form in the day: answered when the shift opens
    late: bool = False  # answered after the deadline

    def __post_init__(self) -> None:
        if (self.again is None) != (self.answer_again is None):
            raise ValueError(f"{self.name}: a consumer who writes again is answered again")


# The desk's last ten days, oldest first.
CONVERSATIONS = (
    Conversation(
        "Jürgen Albrecht", "j.albrecht@albrecht-baeckerei.example", 0, "28195 Bremen",
        "Good evening, does the M200 knead rye dough? We bake about 80 kg a day.",
        "Good evening Mr Albrecht, yes: the M200 takes up to 120 kg of dough per batch, rye "
        "included (use the slow speed). Happy to send the data sheet.",
    ),
    Conversation(
        "Selin Aydın", "+49 176 4410289", 4, "70173 Stuttgart",
        "Which tube do I need to dose glucose syrup with the DP-50?",
        "Hello Ms Aydın, for syrup take the large Norprene tube: it handles up to 5,000 mPa·s. "
        "It lasts about 2,000 operating hours.",
    ),
    Conversation(
        "Frank Roth", "frank.roth@roth-metall.example", 6, "04109 Leipzig",
        "Can your CC-3 cabinet control a conveyor of another make?",
        "Hello Mr Roth, often yes: we check the wiring plans first. Could you send us the "
        "conveyor's type plate and wiring diagram?",
        note="Asked Lee: the CC-3 drives any 400 V motor with a contactor; needs the plans.",
        again="Here are the plans (type plate: Transnorm TS 1500). Does that work?",
        answer_again="Thank you, Mr Roth: our technician confirms the CC-3 controls the "
        "TS 1500 as it is. I have noted it for your offer.",
    ),
    Conversation(
        "Monika Berger", "monika.berger@example.com", 3, "80331 München",
        "Was kostet der Mischer M400? Lieferung nach München.",
        "canned:price|Die Lieferung nach München ist inbegriffen.",
    ),
    Conversation(
        "Tobias Kern", "t.kern@kern-getraenke.example", 5, "93047 Regensburg",
        "How long does a 2000 l tank take to arrive? We need it in January.",
        "canned:delivery|For the tank, 5–7 weeks: ordered this week, it is with you in January.",
        off_hours=True,
    ),
    Conversation(
        "Emine Demir", "emine.demir@example.net", 2, "20457 Hamburg",
        "The lid gasket of our M200 leaks. Is it in the spare parts kit?",
        "canned:parts|The lid gasket is in it, yes.",
    ),
    Conversation(
        "Henrik Jansen", "h.jansen@jansen-logistik.example", 1, "20457 Hamburg",
        "We are planning a packing line of about 4 m. Can your conveyor modules be joined, and "
        "what would four cost?",
        "Hello Mr Jansen, yes: modules couple end to end and one motor drives up to 6 m. "
        "Four modules list at 13,600.00 EUR; for a line our field sales team will make you "
        "an offer.",
        ending="convert", quantity=4,
        hand_note="Packing line ~4 m, wants an offer with a food-grade belt; call in the "
        "morning.",
    ),
    Conversation(
        "Paula Schäfer", "paula.schaefer@example.com", None, "10115 Berlin",
        "Hello, do you have opening hours for your showroom?",
        "Hello Ms Schäfer, our showroom in Berlin is open Mon–Fri 9:00–17:00; on Saturdays "
        "by appointment.",
    ),
    Conversation(
        "Wolfgang Brandt", "+49 511 3394021", 7, "30159 Hannover",
        "Does the maintenance contract cover a mixer we bought second-hand?",
        "Hello Mr Brandt, yes, after a first inspection by our technician (189.00 EUR, "
        "credited if you sign the contract).",
        late=True,
    ),
    Conversation(
        "Katrin Vogel", "katrin.vogel@vogel-backstube.example", 3, "86150 Augsburg",
        "We are opening a second bakery in Augsburg and need two large mixers. Can you make "
        "us an offer for two M400?",
        "canned:sales",
        note="Two M400 for a new bakery, opening in March: real interest.",
        ending="convert", quantity=2,
        hand_note="Second bakery opening in March; wants two M400 and a maintenance contract.",
    ),
    Conversation(
        "Oliver Hahn", "oliver.hahn@example.org", 0, "90402 Nürnberg",
        "What warranty do I get on the M200?",
        "canned:warranty",
    ),
    Conversation(
        "Sophie Lindner", "s.lindner@lindner-feinkost.example", 4, "24103 Kiel",
        "Is the DP-50 in stock? We would need two.",
        "Hello Ms Lindner, yes, both can leave our warehouse this week.",
        again="Great. Can I pay by invoice?",
        answer_again="Yes: for businesses we deliver on invoice, payable in 30 days.",
    ),
    Conversation(
        "Marco Rossi", "marco.rossi@example.com", "Ice cream machine", "79098 Freiburg",
        "Do you also sell machines for ice cream?",
        "Hello Mr Rossi, sorry, not yet: we make mixers, conveyors, pumps and tanks. The "
        "DP-50 pump is used by ice cream makers for dosing flavours, though.",
    ),
    Conversation(
        "Dr. Ulrike Sommer", "u.sommer@sommer-labor.example", 5, "04109 Leipzig",
        "Our lab needs a heated 2000 l stainless tank (up to 80 °C). Please call me about "
        "an offer.",
        "Hello Dr Sommer, with the optional jacket the ST-2000 heats up to 90 °C. I have "
        "asked a sales colleague to call you tomorrow morning.",
        ending="convert", quantity=1,
        hand_note="Heated tank (jacket), 80 °C; call before 10:00.",
        off_hours=True,
    ),
    Conversation(
        "Lars Petersen", "+49 431 5520187", 1, "24103 Kiel",
        "Könnt ihr ein blaues Lebensmittelband für das CB-10 liefern?",
        "Guten Abend Herr Petersen, ja: das blaue FDA/EU-Band ist als Option lieferbar.",
        ending="open",
    ),
    Conversation(
        "Nadine Krämer", "nadine.kraemer@example.net", 0, "86150 Augsburg",
        "Does the M200 need a special socket?",
        "Hello Ms Krämer, it runs on 400 V: a 16 A CEE socket (red). Most bakeries have one.",
        late=True,
    ),
    Conversation(
        "Georg Weidner", "georg.weidner@weidner-brauerei.example", 5, "93047 Regensburg",
        "Is the inside of the tank polished enough for beer?",
        "Hello Mr Weidner, yes: the inside is ground to Ra ≤ 0.8 µm, which breweries use.",
        again="And can it take CO2 pressure?",
        answer_again="No, the ST-2000 is unpressurised. I have noted your interest in a "
        "pressure tank for our product team.",
        ending="again_now",
        later="Thank you. Then please tell me when you have a pressure tank.",
    ),
    Conversation(
        "Helga Wendt", "helga.wendt@example.com", None, "18055 Rostock",
        "Do you deliver to Rostock?",
        "canned:delivery",
    ),
    Conversation(
        "Ahmet Yılmaz", "ahmet.yilmaz@yilmaz-catering.example", 2, "10115 Berlin",
        "Which seals are in the spare parts kit? Our M400 is from 2017.",
        "canned:parts|It fits your M400 from 2017.",
        ending="open",
    ),
)  # fmt: skip

# The questions waiting as the demo is loaded: (name, contact, product, region, message).
# The first was asked long enough ago that its deadline has passed; the second is close to
# its deadline (a warning); the others are just in.
WAITING = (
    ("Bernd Jäger", "bernd.jaeger@jaeger-bau.example", 6, "80331 München",
     "Our CC-3 shows error E07 after a power cut. What can we do tonight?"),
    ("Laura Hoffmeister", "laura.hoffmeister@example.com", 0, "20095 Hamburg",
     "Could the M200 be delivered before Christmas?"),
    ("Yusuf Arslan", "+49 160 7715023", "Used conveyor line", "44135 Dortmund",
     "Do you buy back old conveyor lines when we order new modules?"),
    ("Marie Köster", "marie.koester@example.net", 4, "30159 Hannover",
     "Can the DP-50 dose cleaning agent, too?"),
)  # fmt: skip


@dataclass
class DemoCredential:
    role: str
    email: str
    password: str


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Organization)) == 0


def load_demo_data(password: str | None = None) -> list[DemoCredential]:
    """Create the demo organisation; returns the sign-ins (passwords are not stored in clear).

    ``password`` (or ``LEADSYNC_DEMO_PASSWORD``) gives everyone one known password, for
    scripted demos; otherwise each person gets a fresh random one.
    """
    password = password or current_app.config.get("LEADSYNC_DEMO_PASSWORD")
    now = database.utcnow().replace(second=0, microsecond=0)
    rng = random.Random(SEED)
    moment = [now - timedelta(days=HISTORY_DAYS + 10)]
    previous_clock = database.set_clock(lambda: moment[0])
    try:
        credentials, org_id, people = _organisation(password)
        with tenant(org_id), changes.counter_held(org_id):
            demo = _Demo(rng, now, moment, people)
            demo.settings()
            demo.pipeline()
            demo.spend()
            with _no_mail():
                demo.desk()
        db.session.commit()
    finally:
        database.set_clock(previous_clock)
    _run_sla_checks(org_id, now)
    return credentials


# --- people ------------------------------------------------------------------------------


def _organisation(password: str | None) -> tuple[list[DemoCredential], Any, dict[str, User]]:
    credentials = []
    secret = password or secrets.token_urlsafe(9)
    role, name, email, _ = DEMO_PEOPLE[0]
    admin = accounts.signup(ORG_NAME, name, email, secret)
    credentials.append(DemoCredential(role, email, secret))
    people = {email: admin}
    with tenant(admin.org_id):
        # Reports add up lead values in the reporting currency only: the demo's is EUR.
        accounts.update_organization(
            admin, {"default_country": "DE", "timezone": ZONE, "currency": CURRENCY}
        )
        teams = {key: accounts.create_team(admin, name).id for key, name in TEAMS.items()}
        for role, name, email, team in DEMO_PEOPLE[1:]:
            secret = password or secrets.token_urlsafe(9)
            people[email] = accounts.create_user(
                admin,
                {
                    "email": email,
                    "name": name,
                    "role": role,
                    "password": secret,
                    "team_ids": [teams[team]] if team else [],
                },
            )
            credentials.append(DemoCredential(role, email, secret))
        for user in people.values():
            accounts.update_preferences(user, {"timezone": ZONE})
    return credentials, admin.org_id, people


# --- calendars ---------------------------------------------------------------------------


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _holidays(years: range, bavaria: bool = False) -> list[str]:
    """Germany's public holidays (and Bavaria's own, for the southern team)."""
    days = []
    for year in years:
        easter = _easter(year)
        fixed = ["01-01", "05-01", "10-03", "12-25", "12-26"]
        moving = [easter + timedelta(days=n) for n in (-2, 1, 39, 50)]
        if bavaria:
            fixed += ["01-06", "08-15", "11-01"]
            moving.append(easter + timedelta(days=60))  # Corpus Christi
        days += [f"{year}-{md}" for md in fixed] + [d.isoformat() for d in moving]
    return sorted(days)


def _weekly(days: int, start: str, end: str) -> dict[str, list[dict[str, str]]]:
    return {d: [{"start": start, "end": end}] if i < days else [] for i, d in enumerate(WEEKDAYS)}


def sales_calendar(years: range, bavaria: bool = False) -> dict[str, Any]:
    """Office hours Mon–Fri 08:00–18:00 in Berlin; half days on 24 and 31 December."""
    return {
        "timezone": ZONE,
        "weekly": _weekly(5, "08:00", "18:00"),
        "holidays": _holidays(years, bavaria),
        "overrides": {
            f"{y}-12-{d}": [{"start": "08:00", "end": "12:00"}] for y in years for d in (24, 31)
        },
    }


def service_calendar(years: range) -> dict[str, Any]:
    """The customer-service evening shift, Mon–Sat 17:00–22:00."""
    return {
        "timezone": ZONE,
        "weekly": _weekly(6, "17:00", "22:00"),
        "holidays": _holidays(years),
        "overrides": {},
    }


# --- the pipeline ------------------------------------------------------------------------


@dataclass
class Step:
    """One thing that happens to a lead, ``gap`` business minutes after the step before."""

    gap: float
    kind: str | None = None  # a follow-up's kind
    note: str | None = None
    outcome: str | None = None
    quoted: Decimal | None = None
    stage: str | None = None  # set_stage to this
    reason: str | None = None
    won_value: Decimal | None = None
    at: datetime | None = None


@dataclass
class LeadSpec:
    owner: User
    creator: User
    team: str
    created_at: datetime
    data: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    # The lead's next follow-up after its last step (open leads).
    next_follow_up_at: datetime | None = None


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _money(value: float | Decimal, step: int = 10) -> Decimal:
    return Decimal(int(round(float(value) / step)) * step)


class _Demo:
    def __init__(self, rng, now, moment, people: dict[str, User]) -> None:
        self.rng = rng
        self.now = now
        self.moment = moment  # the application's clock reads moment[0]
        self.people = people
        self.admin = people["admin@demo.leadsync.test"]
        self.casey = people["casey@demo.leadsync.test"]
        self.zone = ZoneInfo(ZONE)
        start_year = (now - timedelta(days=HISTORY_DAYS + 30)).year
        self.years = range(start_year, now.year + 2)
        self.calendars = {
            "north": BusinessCalendar.from_dict(sales_calendar(self.years)),
            "south": BusinessCalendar.from_dict(sales_calendar(self.years, bavaria=True)),
        }
        # Held here, so the session's identity map keeps them (it holds clean objects
        # weakly) and the services' lookups by key do not go to the database each time.
        self.org = db.session.get(Organization, self.admin.org_id)
        self.teams = {t.id: t for t in db.session.scalars(select(Team))}
        self.names: set[str] = set(RESERVED_NAMES)
        self.products: list[Any] = []
        self.phones: set[str] = set()
        # The desk's evening shift, whose hours count a question's deadline.
        self.service_desk = BusinessCalendar.from_dict(service_calendar(self.years))
        self.canned: dict[str, Any] = {}  # canned answers' ids by CANNED_ANSWERS key

    def at(self, when: datetime) -> None:
        self.moment[0] = when

    # -- settings --

    def settings(self) -> None:
        from app.leads import service as leads
        from app.sla import calendars, policies

        self.at(self.now - timedelta(days=HISTORY_DAYS + 5))
        admin = self.admin
        self.products = [
            leads.create_product(
                admin, {"name": name, "sku": sku, "list_price": Decimal(price), "currency": "EUR"}
            )
            for name, sku, price in DEMO_PRODUCTS
        ]
        calendars.create_calendar(
            admin,
            {"name": "Office hours", "kind": "sales", "definition": sales_calendar(self.years)},
        )
        calendars.create_calendar(
            admin,
            {
                "name": "Evening service shift",
                "kind": "service",
                "definition": service_calendar(self.years),
            },
        )
        morgan = self.people["morgan@demo.leadsync.test"]
        calendars.create_calendar(
            morgan,
            {
                "name": "Office hours Bavaria",
                "kind": "sales",
                "team_id": morgan.team_ids[0],
                "definition": sales_calendar(self.years, bavaria=True),
            },
        )
        for name, metric, priority, source, target, escalate in DEMO_POLICIES:
            policies.create_policy(
                admin,
                {
                    "name": name,
                    "metric": metric,
                    "priority": priority,
                    "source": source,
                    "target_minutes": target,
                    "warn_ratio": 0.8,
                    "escalate_after_minutes": escalate,
                },
            )

    # -- times --

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone).astimezone(UTC)

    def office_time(self, day: date, team: str) -> datetime:
        """A moment in office hours on ``day`` (or the next working day)."""
        start = self.local(day, 8)
        return self.calendars[team].add_business_time(
            self.calendars[team].next_open(start), timedelta(minutes=self.rng.randint(10, 560))
        )

    def created_time(self, days_ago: float, source: str, team: str) -> datetime:
        day = (self.now - timedelta(days=days_ago)).astimezone(self.zone).date()
        if source in ("website", "marketplace") and self.rng.random() < 0.35:
            # Web forms arrive at any hour, weekends too.
            when = self.local(day, self.rng.randint(6, 22), self.rng.randint(0, 59))
        elif source == "customer_service":
            when = self.local(day, self.rng.randint(17, 21), self.rng.randint(0, 59))
        else:
            when = self.office_time(day, team)
        return min(when, self.now - timedelta(minutes=self.rng.randint(20, 90)))

    def future(self, team: str, days: int) -> datetime:
        day = (self.now + timedelta(days=days)).astimezone(self.zone).date()
        return self.calendars[team].next_open(self.local(day, self.rng.choice((9, 10, 11, 14))))

    # -- people and contacts --

    def contact(self) -> str:
        for _ in range(100):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of demo names")

    def phone(self, area: str) -> str:
        while True:
            if self.rng.random() < 0.4:
                prefix = self.rng.choice(("151", "160", "170", "176"))
                number = f"+49 {prefix} {self.rng.randint(10**7, 10**8 - 1)}"
            else:
                number = f"+49 {area} {self.rng.randint(10**6, 10**7 - 1)}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    # -- what happens to a lead --

    def first_response(self, priority: str) -> Step:
        rng = self.rng
        if rng.random() < 0.85:
            gap = rng.uniform(3, 25 if priority == "urgent" else 50)
        else:
            gap = rng.uniform(150, 2 * DAY)  # answered late
        kind = rng.choices(("call", "message", "email"), weights=(6, 2, 2))[0]
        note = rng.choice(
            {
                "call": (
                    "Called back; wants an offer.",
                    "First call: explained the options, sending details.",
                    "Reached them on the second try; interested.",
                    "Short call, asked for a visit.",
                ),
                "message": ("Sent our brochure and asked for a good time to call.",),
                "email": ("Replied with the data sheet and prices.",),
            }[kind]
        )
        return Step(gap, kind=kind, note=note)

    def contact_step(self, product: str) -> Step:
        rng = self.rng
        kind = rng.choices(("call", "visit", "message", "email"), weights=(5, 3, 2, 1))[0]
        note = rng.choice(
            {
                "call": (
                    f"Went through the {product} specs on the phone.",
                    "Asked about delivery times and installation.",
                    "No answer, left a voicemail.",
                    "Talked to the plant manager as well.",
                ),
                "visit": (
                    "Visited the site, measured the space.",
                    f"Demo of the {product} on site; good impression.",
                    "Met the owner and the buyer.",
                ),
                "message": ("Sent photos of a reference installation.",),
                "email": ("Sent the comparison they asked for.",),
            }[kind]
        )
        return Step(rng.uniform(0.4, 3) * DAY, kind=kind, note=note)

    def quote_step(self, value: Decimal) -> Step:
        quoted = _money(float(value) * self.rng.uniform(0.92, 1.05))
        return Step(
            self.rng.uniform(0.5, 3) * DAY,
            kind="quote",
            note=f"Sent quote over EUR {quoted:,.0f}.",
            quoted=quoted,
        )

    def steps_to(self, stage: str, priority: str, value: Decimal, product: str) -> list[Step]:
        """What happens before a lead is in ``stage`` (an open stage)."""
        rng = self.rng
        if stage == "new":
            return []
        steps = [self.first_response(priority)]
        if rng.random() < 0.15:
            steps.append(
                Step(rng.uniform(5, 60), kind="note", note="Checked stock with the warehouse.")
            )
        if stage == "contacted":
            steps += [self.contact_step(product) for _ in range(rng.randint(0, 2))]
            return steps
        if rng.random() < 0.6:
            steps.append(self.contact_step(product))
        steps.append(self.quote_step(value))
        if stage == "negotiating":
            steps.append(self.contact_step(product))
            steps.append(
                Step(
                    rng.uniform(1, 20),
                    stage="negotiating",
                    note=rng.choice(
                        (
                            "Negotiating the discount and payment terms.",
                            "They want a second machine at a better price.",
                            "Legal is reviewing the contract.",
                        )
                    ),
                )
            )
            if rng.random() < 0.5:
                steps.append(self.contact_step(product))
        return steps

    def quick_sale(self, priority: str, value: Decimal) -> list[Step]:
        quote = self.quote_step(value)
        won = Step(
            self.rng.uniform(0.2, 2) * DAY,
            stage="won",
            won_value=quote.quoted,
            note=self.rng.choice(("Ordered by return.", "PO received the next day.")),
        )
        return [self.first_response(priority), quote, won]

    def closed_steps(self, priority: str, value: Decimal, product: str) -> tuple[list[Step], str]:
        rng = self.rng
        if rng.random() < 0.3:
            reached = rng.choices(("quoted", "negotiating"), weights=(4, 6))[0]
            steps = self.steps_to(reached, priority, value, product)
            quoted = next(s.quoted for s in reversed(steps) if s.quoted)
            won = _money(float(quoted) * rng.uniform(0.86, 1.0))
            steps.append(
                Step(
                    rng.uniform(0.5, 6) * DAY,
                    stage="won",
                    won_value=won,
                    note=rng.choice(
                        ("Order signed.", "PO received.", "Deal closed, delivery planned.")
                    ),
                )
            )
            return steps, "won"
        reached = rng.choices(("new", "contacted", "quoted", "negotiating"), weights=(1, 4, 3, 2))[
            0
        ]
        steps = self.steps_to(reached, priority, value, product)
        reasons = LOST_EARLY if reached in ("new", "contacted") else LOST_LATE
        if reached == "new":
            reasons = {"no_response": 1}
            steps = [Step(rng.uniform(60, 300), kind="call", note="No answer.")]
        steps.append(Step(rng.uniform(1, 10) * DAY, stage="lost", reason=_pick(rng, reasons)))
        return steps, "lost"

    # -- the leads --

    def specs(self) -> list[LeadSpec]:
        rng = self.rng
        owners = [self.people[e] for e in OWNER_WEIGHTS]
        weights = list(OWNER_WEIGHTS.values())
        generated = LEAD_COUNT - len(DEMO_LEADS)
        specs = []
        for i in range(generated):
            # Denser towards now: the business grew, and recent leads are still open.
            days_ago = HISTORY_DAYS * ((i + rng.random()) / generated) ** 1.5
            owner = rng.choices(owners, weights=weights)[0]
            specs.append(self.generated(owner, days_ago, fresh=i < 3))
        # Two people asked twice through another channel: possible duplicates to merge.
        open_specs = [s for s in specs if s.data["_open"] and s.data.get("phone")]
        for a, b in ((open_specs[3], open_specs[-3]), (open_specs[6], open_specs[-6])):
            earlier, later = sorted((a, b), key=lambda s: s.created_at)
            later.data.update(
                contact_name=earlier.data["contact_name"],
                phone=earlier.data["phone"],
                company=earlier.data["company"],
                email=earlier.data["email"],
            )
        specs += [self.named(*lead) for lead in DEMO_LEADS]
        return sorted(specs, key=lambda s: s.created_at)

    def team_of(self, owner: User) -> str:
        team_names = {v: k for k, v in TEAMS.items()}
        return team_names[self.teams[owner.team_ids[0]].name]

    def generated(self, owner: User, days_ago: float, fresh: bool = False) -> LeadSpec:
        rng = self.rng
        team = self.team_of(owner)
        source = _pick(rng, SOURCE_WEIGHTS)
        priority = _pick(rng, PRIORITY_WEIGHTS)
        city, area, _ = rng.choice([c for c in CITIES if c[2] == team])
        contact = self.contact()
        company = (
            f"{contact.split()[1]} {rng.choice(COMPANY_KINDS)}" if rng.random() < 0.85 else None
        )
        pick = rng.random()
        product_id = product_text = None
        if pick < 0.8:
            index = rng.choices(range(len(DEMO_PRODUCTS)), weights=(8, 7, 5, 3, 5, 3, 3, 4))[0]
            name, _, price = DEMO_PRODUCTS[index]
            product_id, label = self.products[index].id, name
            quantity = rng.choice((1, 1, 1, 2, 2, 3)) if index != 2 else rng.randint(2, 12)
            value = Decimal(price) * quantity
        elif pick < 0.92:
            product_text = label = rng.choice(TYPED_PRODUCTS)
            quantity = 1
            value = _money(rng.uniform(4000, 30000), 100)
        else:
            label, quantity, value = "machine", None, _money(rng.uniform(1500, 15000), 100)
        known_value = product_id is not None or rng.random() < 0.5
        creator = owner
        if source == "customer_service":
            creator = self.casey
        elif rng.random() < 0.08:
            creator = self.people[
                "lead@demo.leadsync.test" if team == "north" else "morgan@demo.leadsync.test"
            ]
        data = {
            "contact_name": contact,
            "company": company,
            "phone": self.phone(area) if rng.random() < 0.92 else None,
            "email": (
                f"{contact.split()[0].lower()}@{contact.split()[1].lower()}-{team}.example".replace(
                    "ü", "ue"
                )
                .replace("ö", "oe")
                .replace("ä", "ae")
                .replace("ß", "ss")
                if rng.random() < 0.5
                else None
            ),
            "region": city,
            "territory": TEAMS[team].removeprefix("Field Sales "),
            "source": source,
            "product_id": product_id,
            "product_text": product_text,
            "quantity": Decimal(quantity) if quantity else None,
            "estimated_value": value if known_value else None,
            "currency": "EUR" if known_value else None,
            "priority": priority,
            "notes": rng.choice(
                (
                    None,
                    None,
                    f"Asked about the {label}.",
                    "Needs it before the season starts.",
                    "Existing customer, second site.",
                    "Found us through a trade magazine.",
                )
            ),
        }
        spec = LeadSpec(owner, creator, team, self.created_time(days_ago, source, team), data)
        if fresh:  # just in: its first-response clock is running
            spec.created_at = self.now - timedelta(minutes=rng.randint(15, 100))
            data["_open"] = True
            spec.next_follow_up_at = None
            return spec
        if days_ago < 30 and value < QUICK_SALE_BELOW and rng.random() < 0.5:
            # Spare parts, a pump, a service contract: ordered within days of the quote, so
            # even this month's inquiries have won some value.
            data["_open"] = False
            spec.steps = self.quick_sale(priority, value)
            return spec
        if days_ago > 45:
            open_chance = 0.06
        elif days_ago > 14:
            open_chance = 0.45
        else:
            open_chance = 0.9
        data["_open"] = rng.random() < open_chance
        if data["_open"]:
            self.open_lead(spec, days_ago, priority, value, label)
        else:
            spec.steps, _ = self.closed_steps(priority, value, label)
        return spec

    def open_lead(self, spec: LeadSpec, days_ago: float, priority, value, label) -> None:
        """An open lead: most answered in time and followed up on plan; some never
        answered, some whose follow-up is overdue."""
        rng = self.rng
        if days_ago < 12 and rng.random() < 0.2:
            stage = "new"  # nobody answered: breached, and escalated to the team lead
        else:
            stage = rng.choices(("contacted", "quoted", "negotiating"), weights=(4, 4, 3))[0]
        spec.steps = self.steps_to(stage, priority, value, label)
        if not spec.steps:
            spec.next_follow_up_at = None
            return
        if sum(s.kind in CONTACT_KINDS for s in spec.steps) < 2 or spec.steps[-1].kind == "note":
            spec.steps.append(self.contact_step(label))  # the latest contact, placed recently
        overdue = rng.random() < 0.18
        # How long ago (business minutes) the last contact was.
        spec.data["_recent"] = rng.uniform(3.2, 9) * DAY if overdue else rng.uniform(0.05, 2) * DAY
        if not overdue and rng.random() < 0.15:
            spec.data["_recent"] = rng.uniform(2.5, 2.9) * DAY  # due soon: a warning
        if overdue and rng.random() < 0.5:
            # Planned a day or two after the last contact, and missed.
            spec.data["_missed_plan"] = rng.uniform(0.5, 2.5) * DAY
        else:
            spec.next_follow_up_at = self.future(spec.team, rng.randint(1, 12))

    def named(self, owner, contact, company, phone, source, product, value, priority, due_in, kind):
        owner = self.people[f"{owner}@demo.leadsync.test"]
        team = self.team_of(owner)
        value = Decimal(value) if value else None
        data = {
            "contact_name": contact,
            "company": company,
            "phone": phone,
            "source": source,
            "product_id": self.products[product].id if product is not None else None,
            "estimated_value": value,
            "currency": "EUR" if value else None,
            "priority": priority,
            "region": "Berlin" if team == "north" else "München",
            "territory": TEAMS[team].removeprefix("Field Sales "),
            "_open": True,
        }
        created = self.office_time(
            (self.now - timedelta(days=6)).astimezone(self.zone).date(),
            team,
        )
        spec = LeadSpec(owner, owner, team, created, data)
        if kind is not None:
            spec.steps = [
                Step(20, kind="call", note=f"Called {contact.split()[0]} back."),
                {
                    "call": Step(DAY, kind="call", note="Agreed to call again about the price."),
                    "visit": Step(DAY, kind="visit", note="Visited the workshop."),
                    "quote": self.quote_step(value or Decimal(0)),
                }[kind],
            ]
            spec.data["_recent"] = 0.3 * DAY
        spec.next_follow_up_at = self.now + timedelta(hours=due_in)
        return spec

    def place_steps(self, spec: LeadSpec) -> None:
        """Give each step its time: after the lead's creation, in office hours, before now
        (an open lead's last contact ``_recent`` business minutes before now)."""
        if not spec.steps:
            return
        calendar = self.calendars[spec.team]
        start = spec.created_at
        available = calendar.business_time_between(start, self.now).total_seconds() / 60
        first, rest = spec.steps[0].gap, sum(s.gap for s in spec.steps[1:])
        if spec.data["_open"]:
            span = available - spec.data.get("_recent", 0)
            if span < available * 0.3:
                span = available * 0.5
            if first > span * 0.5:
                first = span * 0.3 if rest else span
            scale = (span - first) / rest if rest else 1
        else:
            span = available * 0.95
            scale = min(1, (span - first) / rest) if rest else 1
            if first > span:
                first, scale = span * 0.3, (span * 0.7) / rest if rest else 1
        when = calendar.add_business_time(start, timedelta(minutes=first))
        spec.steps[0].at = when
        for step in spec.steps[1:]:
            when = calendar.add_business_time(when, timedelta(minutes=step.gap * scale))
            step.at = when
        for step in spec.steps:
            step.at = step.at.replace(second=0, microsecond=0)
            step.at = min(
                max(step.at, start + timedelta(minutes=1)), self.now - timedelta(minutes=2)
            )
        if "_missed_plan" in spec.data:
            missed = timedelta(minutes=spec.data["_missed_plan"])
            plan = calendar.add_business_time(spec.steps[-1].at, missed).replace(second=0)
            spec.next_follow_up_at = min(plan, self.now - timedelta(hours=1))

    def pipeline(self) -> None:
        from app.leads import service as leads

        for spec in self.specs():
            self.place_steps(spec)
            data = {k: v for k, v in spec.data.items() if not k.startswith("_") and v is not None}
            if spec.creator.id != spec.owner.id:
                data["owner_id"] = spec.owner.id
            if not spec.steps:
                data["next_follow_up_at"] = spec.next_follow_up_at
            self.at(spec.created_at)
            lead = leads.create_lead(spec.creator, data)
            for index, step in enumerate(spec.steps):
                # The plan: the next contact (an open lead's last one plans the next).
                following = next(
                    (s.at for s in spec.steps[index + 1 :] if s.kind in CONTACT_KINDS),
                    spec.next_follow_up_at if spec.data["_open"] else None,
                )
                self.at(step.at)
                if step.stage:
                    leads.set_stage(
                        spec.owner,
                        lead.id,
                        step.stage,
                        lost_reason=step.reason,
                        won_value=step.won_value,
                        note=step.note,
                    )
                    continue
                leads.create_follow_up(
                    spec.owner,
                    {
                        "lead_id": lead.id,
                        "kind": step.kind,
                        "note": step.note,
                        "happened_at": step.at,
                        "quoted_amount": step.quoted,
                        "next_follow_up_at": following if step.kind != "note" else None,
                    },
                )

    # -- the spend ledger --

    def spend(self) -> None:
        """The marketing spend of every month of the demo, up to today, per channel."""
        from app.spend import service as ledger

        today = self.now.astimezone(self.zone).date()
        first = (self.now - timedelta(days=HISTORY_DAYS)).astimezone(self.zone).date()
        span = (today - first).days
        for day, source, base, note in self.spend_plan(first, today):
            growth = 0.7 + 0.6 * (day - first).days / span
            amount = _money(base * growth * self.rng.uniform(0.85, 1.15))
            self.at(min(self.local(day, 9), self.now))
            ledger.create_spend(
                self.admin, {"source": source, "spent_on": day, "amount": amount, "note": note}
            )

    def spend_plan(self, first: date, last: date) -> list[tuple[date, str, float, str]]:
        plan = []
        day = first + timedelta(days=-first.weekday() % 7)  # the first Monday
        while day <= last:
            for source, (base, note) in WEEKLY_SPEND.items():
                plan.append((day, source, base, f"{note}, week {day.isocalendar().week}"))
            day += timedelta(days=7)
        month = first.replace(day=1)
        while month <= last:
            for source, (base, note) in MONTHLY_SPEND.items():
                plan.append((month, source, base, note))
            if month.month % 2:
                for source, (base, note) in BIMONTHLY_SPEND.items():
                    plan.append((month, source, base, note))
            if month.month in TRADE_FAIRS:
                fair = month + timedelta(days=self.rng.randint(8, 20))
                if fair <= last:
                    plan.append((fair, "trade_show", 6500, TRADE_FAIRS[month.month]))
            month = (month + timedelta(days=32)).replace(day=1)
        return [entry for entry in plan if entry[0] >= first]

    # -- the evening service desk --

    def desk(self) -> None:
        """The service desk of the last ten days: product facts, canned answers, assignment
        rules and the default owner; then consumers' questions asked in the evenings and what
        Casey did with them; then the questions waiting as the demo is loaded."""
        rng = random.Random(SEED + 13)  # the desk's own: the pipeline's sequence stays as it was
        self.desk_settings()
        self.asked_questions(rng)
        self.waiting_questions()

    def desk_settings(self) -> None:
        from app.assignment import service as assignment
        from app.leads import service as leads
        from app.questions import canned

        # The desk opened about six weeks ago: the catalogue got its facts, the answers and
        # the rules were written then.
        self.at(self.now - timedelta(days=42))
        by_sku = {product.sku: product for product in self.products}
        for sku, (spec, faq) in PRODUCT_FACTS.items():
            leads.update_product(self.admin, by_sku[sku].id, {"spec": spec, "faq": faq})
        self.at(self.now - timedelta(days=41))
        for key, author, title, body, sku, tags in CANNED_ANSWERS:
            self.canned[key] = canned.create_canned_answer(
                self.people[author],
                {
                    "title": title,
                    "body": body,
                    "product_id": by_sku[sku].id if sku else None,
                    "tags": tags,
                },
            ).id
        self.at(self.now - timedelta(days=40))
        team_ids = {
            key: next(t.id for t in self.teams.values() if t.name == name)
            for key, name in TEAMS.items()
        }
        for name, match, target in ASSIGNMENT_RULES:
            if "product" in match:
                match = {"product_id": by_sku[match["product"]].id}
            assignment.create_rule(
                self.admin,
                {
                    "name": name,
                    "match": match,
                    "owner_id": self.people[target].id if target in self.people else None,
                    "team_id": team_ids.get(target),
                },
            )
        assignment.update_settings(self.admin, {"default_owner_id": self.people[DEFAULT_OWNER].id})

    def question_data(self, name, contact, product, region, message) -> dict[str, Any]:
        """What the public form would send (an email address or a phone number)."""
        data: dict[str, Any] = {"name": name, "region": region, "message": message}
        data["email" if "@" in contact else "phone"] = contact
        if isinstance(product, int):
            data["product_id"] = self.products[product].id
        elif product:
            data["product_text"] = product
        return data

    def asked_ago(self, business_minutes: float, longest: timedelta) -> datetime:
        """The earliest moment, at most ``longest`` before now, after which no more than
        ``business_minutes`` of the desk's hours have passed: a question asked then has been
        waiting that long in the desk's time (or, with the desk closed, since ``longest``)."""
        calendar = self.service_desk
        limit = timedelta(minutes=business_minutes)
        low, high = 0, int(longest.total_seconds() // 60)  # minutes before now
        while low < high:
            middle = (low + high + 1) // 2
            moment = self.now - timedelta(minutes=middle)
            if calendar.business_time_between(moment, self.now) <= limit:
                low = middle
            else:
                high = middle - 1
        return self.now - timedelta(minutes=low)

    def asked_questions(self, rng: random.Random) -> None:
        """The last ten days: asked in the evening shift (a few through the form in the day),
        answered by Casey mostly in time, some with a note first, some written back to, most
        resolved and a few handed to sales. A conversation that would not be over by now is
        left out (it belongs to another evening)."""
        today = self.now.astimezone(self.zone).date()
        evenings = [
            day
            for day in (today - timedelta(days=n) for n in range(10, 0, -1))
            if self.service_desk.is_open(self.local(day, 18))
        ]
        for index, talk in enumerate(CONVERSATIONS):
            day = evenings[index * len(evenings) // len(CONVERSATIONS)]
            if talk.again:
                # Written back to the next day and answered: three evenings ago at the
                # latest, so the whole exchange is over by now.
                day = min(day, evenings[-3])
            if talk.off_hours:
                asked = self.local(day, rng.randint(10, 15), rng.randint(0, 59))
            else:
                asked = self.local(day, rng.randint(17, 20), rng.randint(0, 59))
            self.converse(talk, asked, rng)

    def converse(self, talk: Conversation, asked: datetime, rng: random.Random) -> None:
        from app.questions import service as desk

        calendar = self.service_desk

        def after(start: datetime, low: float, high: float) -> datetime:
            minutes = timedelta(minutes=rng.uniform(low, high))
            return calendar.add_business_time(start, minutes).replace(second=0, microsecond=0)

        answered = after(asked, 38, 75) if talk.late else after(asked, 4, 22)
        plan = [answered]
        if talk.again:
            # The consumer writes back the next evening (answered when the desk is open).
            next_day = answered.astimezone(self.zone).date() + timedelta(days=1)
            wrote = self.local(next_day, rng.randint(17, 20), rng.randint(0, 59))
            plan += [wrote, after(wrote, 5, 20)]
        end = plan[-1] + timedelta(minutes=rng.randint(1, 6))
        writes_now = self.asked_ago(10, timedelta(minutes=45)) if talk.later else None
        if end > (writes_now or self.now) - timedelta(minutes=5):
            return
        casey = self.casey
        self.at(asked)
        question = desk.ask(
            self.org,
            self.question_data(talk.name, talk.contact, talk.product, talk.region, talk.message),
        )
        if talk.note:
            self.at(max(asked, answered - timedelta(minutes=2)))
            desk.reply(casey, question.id, talk.note, internal=True)
        self.at(answered)
        desk.reply(casey, question.id, self.reply_text(question.id, talk.reply))
        if talk.again:
            self.at(plan[1])
            desk.consumer_writes(question.token, talk.again)
            self.at(plan[2])
            desk.reply(casey, question.id, talk.answer_again)
        self.at(end)
        if talk.ending == "convert":
            hand_off = desk.convert(
                casey, question.id, {"quantity": Decimal(talk.quantity), "note": talk.hand_note}
            )
            self.at(end + timedelta(minutes=1))
            desk.resolve(casey, question.id)
            self.first_call(hand_off, rng)
        elif talk.ending == "resolve":
            desk.resolve(casey, question.id)
        if writes_now is not None:
            self.at(writes_now)
            desk.consumer_writes(question.token, talk.later)

    def reply_text(self, question_id, reply: str) -> str:
        """Casey's reply: as written, or a canned answer filled in for the question (and a
        line of her own after it), as the desk inserts one."""
        from app.questions import canned

        if not reply.startswith("canned:"):
            return reply
        key, _, own = reply.removeprefix("canned:").partition("|")
        text = canned.render(self.casey, question_id, self.canned[key])
        return f"{text}\n\n{own}" if own else text

    def first_call(self, hand_off: Any, rng: random.Random) -> None:
        """The rep the rules chose calls the consumer back the next office morning (unless
        that is still to come: then the lead waits for its first response)."""
        from app.leads import service as leads

        owner = next(p for p in self.people.values() if p.id == hand_off.owner_id)
        team = self.team_of(owner)
        day = self.moment[0].astimezone(self.zone).date() + timedelta(days=1)
        calendar = self.calendars[team]
        when = calendar.add_business_time(
            calendar.next_open(self.local(day, 8)), timedelta(minutes=rng.randint(20, 90))
        )
        if when > self.now - timedelta(minutes=30):
            return
        self.at(when)
        leads.create_follow_up(
            owner,
            {
                "lead_id": hand_off.lead_id,
                "kind": "call",
                "note": "Called back after the desk's hand-over; sending an offer.",
                "happened_at": when,
                "next_follow_up_at": self.future(team, 3),
            },
        )

    def waiting_questions(self) -> None:
        """The queue as the demo is loaded: one asked long enough ago that its deadline has
        passed (breached, and escalated by the SLA check), one near its deadline (Casey has
        just claimed it and noted what she is checking, when the desk is open), and two just
        in. Consumers write at any hour; their deadlines count the desk's hours only."""
        from app.questions import service as desk

        asked_at = (
            self.asked_ago(75, timedelta(days=8)),
            self.asked_ago(26, timedelta(days=8)),
            self.asked_ago(14, timedelta(minutes=80)),
            self.asked_ago(6, timedelta(minutes=25)),
        )
        for when, (name, contact, product, region, message) in zip(asked_at, WAITING, strict=True):
            self.at(when)
            question = desk.ask(
                self.org, self.question_data(name, contact, product, region, message)
            )
            if name == WAITING[1][0] and self.service_desk.is_open(self.now):
                self.at(self.now - timedelta(minutes=2))
                desk.claim(self.casey, question.id)
                desk.reply(
                    self.casey,
                    question.id,
                    "Asked the warehouse when the next M200 can leave; answering with the date.",
                    internal=True,
                )


@contextmanager
def _no_mail() -> Iterator[None]:
    """The demo's consumers are made up: a reply to them is never emailed, even when the
    server has a mail server configured (the desk's replies queue mail only then)."""
    config = current_app.config
    smtp_host = config.get("SMTP_HOST")
    config["SMTP_HOST"] = None
    try:
        yield
    finally:
        config["SMTP_HOST"] = smtp_host


def _run_sla_checks(org_id, now: datetime) -> None:
    """What the scheduler would have done over the past weeks: check the clocks of every
    timed kind (leads, questions …) as each milestone came due (to the next quarter hour),
    then at ``now``. Each check commits."""
    from app.sla.check import run_sla_check
    from app.sla.timed import timed_kinds

    while True:
        with tenant(org_id):
            next_due = [
                db.session.scalar(select(func.min(kind.model.sla_next_at)))
                for kind in timed_kinds()
            ]
            due = min((at for at in next_due if at is not None), default=None)
        db.session.commit()
        if due is None or due > now:
            break
        tick = datetime.fromtimestamp(math.ceil(due.timestamp() / 900) * 900, UTC)
        run_sla_check(min(tick, now))
    run_sla_check(now)
