"""Seeded synthetic playbooks at four sizes, valid and warning-free under ``check --strict``.

    python -m benchmarks.synth SIZE OUT_DIR [--seed N] [--shape SHAPE] [--force]

``S`` copies the shipped example (``playbook/``); ``M``, ``L`` and ``XL`` build an
enterprise-shaped organisation — regional sales and marketing teams, agencies and partners,
a long lifecycle with recycle loops, areas of activities with a home team — and write it as
several YAML files, the activities split across files. They use what real handbooks write:
named handoffs, routed handoffs, clocks with a target and a start, rejections with several
outcomes, conditional letter holders, role goals for a dated period, field roles on their
own local time, CRM values per stage and a glossary term with two meanings. The same size,
seed and shape always give byte-identical files.

``--shape`` lays the same counts out differently (see :data:`SHAPES`): ``typical`` (the
default) is the organisation the benchmark always measured; ``worst`` puts 40 % of the
activities in one area, 30–45 Informed roles on 30 % of them, 1–5 Consulted on each, per-role
notes on 60 % and multi-paragraph Markdown descriptions on half; ``skewed``, ``crowded`` and
``verbose`` each carry one of those traits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EXAMPLE = Path(__file__).resolve().parent.parent / "playbook"
SIZE_NAMES = ("S", "M", "L", "XL")


@dataclass(frozen=True)
class Size:
    """How many of each thing a synthetic playbook has."""

    teams: int
    external: int
    roles: int
    activities: int
    stages: int
    handoffs: int
    engagements: int
    people: int
    areas: int
    cadences: int
    glossary: int


SIZES: dict[str, Size] = {
    "M": Size(
        teams=10,
        external=3,
        roles=50,
        activities=500,
        stages=12,
        handoffs=30,
        engagements=3,
        people=12,
        areas=12,
        cadences=6,
        glossary=15,
    ),
    "L": Size(
        teams=24,
        external=6,
        roles=200,
        activities=2000,
        stages=24,
        handoffs=120,
        engagements=8,
        people=40,
        areas=30,
        cadences=15,
        glossary=30,
    ),
    "XL": Size(
        teams=50,
        external=10,
        roles=500,
        activities=5000,
        stages=40,
        handoffs=300,
        engagements=20,
        people=100,
        areas=60,
        cadences=30,
        glossary=40,
    ),
}


@dataclass(frozen=True)
class Shape:
    """How the same counts are laid out: the spread of activities over areas, how many roles
    hold letters on an activity, how many notes and how long the descriptions are.

    ``typical`` makes exactly the playbooks the benchmark always made (same bytes); the others
    change only what their fields say.
    """

    name: str
    big_area: float = 0.0
    """Share of all activities in one area (0: an even spread, each area 0.5–1.5 × the mean)."""
    skewed_rest: bool = False
    """The other areas' counts heavy-tailed (a few large, many small) instead of even."""
    consulted: tuple[int, ...] = (0, 1, 1, 2)
    """Consulted roles per activity, drawn from these."""
    informed: tuple[int, ...] = (0, 1, 2)
    """Informed roles per activity, drawn from these (unless it is a crowd)."""
    crowd: float = 0.0
    """Share of activities that inform a crowd: 30–45 roles across several teams."""
    note_rate: float = 0.08
    """Share of activities with per-role notes."""
    notes_max: int = 1
    """Roles with a note on such an activity: 1 (a fixed short note) or up to this many."""
    long_descriptions: float = 0.0
    """Share of activities whose description is several paragraphs of Markdown."""


SHAPES: dict[str, Shape] = {
    "typical": Shape("typical"),
    "skewed": Shape("skewed", big_area=0.4, skewed_rest=True),
    "crowded": Shape("crowded", consulted=(1, 2, 3, 4, 5), informed=(1, 2, 3, 4), crowd=0.3),
    "verbose": Shape("verbose", note_rate=0.6, notes_max=4, long_descriptions=0.5),
    "worst": Shape(
        "worst",
        big_area=0.4,
        skewed_rest=True,
        consulted=(1, 2, 3, 4, 5),
        informed=(1, 2, 3, 4),
        crowd=0.3,
        note_rate=0.6,
        notes_max=4,
        long_descriptions=0.5,
    ),
}
"""``typical`` is the benchmark's organisation; ``worst`` is every heavy trait at once (one
area with 40 % of the activities, 30+ Informed on 30 % of them, notes on 60 %, multi-paragraph
descriptions on half): the heaviest organisation of the same counts that is still realistic.
The three between isolate one trait each, to tell which one costs."""
SHAPE_NAMES = tuple(SHAPES)
CROWD_INFORMED = (30, 45)
CROWD_TEAMS = 5
"""Teams beyond an area's own whose roles may be in an Informed crowd."""

FUNCTIONS: dict[str, list[str]] = {
    "Field Sales": [
        "Regional Sales Director",
        "Enterprise Account Executive",
        "Account Executive",
        "Sales Manager",
    ],
    "Inside Sales": [
        "Inside Sales Manager",
        "Sales Development Representative",
        "Business Development Representative",
    ],
    "Demand Generation": [
        "Demand Generation Manager",
        "Campaign Manager",
        "Marketing Automation Specialist",
    ],
    "Product Marketing": [
        "Product Marketing Manager",
        "Competitive Intelligence Analyst",
        "Solutions Marketing Manager",
    ],
    "Field Marketing": ["Regional Marketing Manager", "Field Marketing Manager", "Event Manager"],
    "Partner Sales": [
        "Channel Account Manager",
        "Partner Development Manager",
        "Alliances Director",
    ],
    "Customer Success": ["Customer Success Manager", "Renewals Manager", "Onboarding Specialist"],
    "Sales Operations": ["Sales Operations Analyst", "Deal Desk Analyst", "CRM Administrator"],
    "Marketing Operations": [
        "Marketing Operations Manager",
        "Marketing Analyst",
        "Web Operations Specialist",
    ],
    "Brand & Communications": [
        "Brand Manager",
        "Communications Manager",
        "Content Strategist",
        "Social Media Manager",
    ],
    "Digital Marketing": [
        "Digital Marketing Manager",
        "SEO Specialist",
        "Paid Media Specialist",
        "Web Content Editor",
    ],
    "Key Accounts": ["Global Account Director", "Key Account Manager", "Bid Manager"],
    "Sales Engineering": ["Solutions Engineer", "Sales Engineering Manager", "Demo Engineer"],
    "eCommerce": ["eCommerce Manager", "Marketplace Specialist", "Online Sales Coordinator"],
    "Pricing & Deal Desk": ["Pricing Manager", "Deal Desk Manager", "Contracts Specialist"],
    "Customer Marketing": [
        "Customer Marketing Manager",
        "Advocacy Programme Manager",
        "Community Manager",
    ],
}
REGIONS = [
    "EMEA",
    "North America",
    "APAC",
    "LATAM",
    "DACH",
    "Nordics",
    "UK & Ireland",
    "France",
    "Iberia",
    "Benelux",
    "Japan",
    "ANZ",
    "Middle East",
    "India",
]
AGENCIES = [
    ("Brightwave Studio", "creative agency", "Europe/Lisbon"),
    ("Northlight PR", "PR agency", "Europe/London"),
    ("Copperfield Media", "media buying agency", "America/New_York"),
    ("Tallis Events", "events agency", "Europe/Berlin"),
    ("Harrow Digital", "web and SEO agency", "Europe/Dublin"),
    ("Quillon Research", "market research firm", "Europe/Paris"),
    ("Meridian Channel Partners", "reseller network", "America/Chicago"),
    ("Oakridge Translation", "localisation vendor", "Europe/Madrid"),
    ("Pinnacle Outreach", "outsourced telemarketing", "Asia/Manila"),
    ("Saltmarsh Video", "video production company", "Europe/Amsterdam"),
    ("Lumen Analytics", "analytics consultancy", "Asia/Singapore"),
    ("Redfern Print", "print vendor", "Europe/London"),
]
AGENCY_TITLES = [
    "Account Director",
    "Creative Lead",
    "Copywriter",
    "Designer",
    "Media Buyer",
    "Project Manager",
    "Producer",
    "Consultant",
]
THEMES: dict[str, list[str]] = {
    "Webinars": [
        "Webinar planning",
        "Webinar promotion",
        "Webinar delivery",
        "Webinar follow-up",
        "Webinar recording edit",
    ],
    "Trade shows": [
        "Stand booking",
        "Stand design",
        "Booth staffing",
        "Badge-scan upload",
        "Show follow-up",
    ],
    "Content": [
        "Blog articles",
        "eBook production",
        "Case study interviews",
        "Whitepapers",
        "Content calendar",
    ],
    "Paid media": [
        "Paid search campaigns",
        "Paid social campaigns",
        "Display retargeting",
        "Media budget pacing",
        "Ad copy",
    ],
    "Lead management": [
        "Lead scoring",
        "Lead routing",
        "MQL handover",
        "Rejected lead review",
        "Duplicate merge",
    ],
    "Deals": ["Discovery calls", "Proposals", "Pricing approval", "Contract redlines", "Closing"],
    "Website": ["Landing pages", "Product pages", "Site search", "Cookie consent", "Web analytics"],
    "Sales enablement": [
        "Sales deck",
        "Battlecards",
        "Objection handling guide",
        "Product training",
        "Demo environment",
    ],
    "Prospecting": [
        "Outbound sequences",
        "Account research",
        "Cold calling",
        "Social outreach",
        "Meeting booking",
    ],
    "Public relations": [
        "Press releases",
        "Media relations",
        "Analyst briefings",
        "Crisis statements",
        "Awards entries",
    ],
    "Partners": [
        "Partner recruitment",
        "Partner onboarding",
        "Deal registration",
        "Market development funds",
        "Partner newsletter",
    ],
    "Customer success": [
        "Customer onboarding",
        "Quarterly business review",
        "Renewal",
        "Upsell",
        "Churn-risk review",
    ],
    "Email nurture": [
        "Nurture programme design",
        "Newsletter",
        "Re-engagement emails",
        "List hygiene",
        "Email templates",
    ],
    "Brand": [
        "Brand guidelines",
        "Asset library",
        "Tone of voice",
        "Brand tracking survey",
        "Sponsorships",
    ],
    "Pricing": [
        "Price list",
        "Discount policy",
        "Promotions",
        "Competitive pricing review",
        "Quote templates",
    ],
    "Operations": [
        "CRM data quality",
        "Territory planning",
        "Forecast call",
        "Commission statements",
        "Pipeline reporting",
    ],
    "Social media": [
        "Social calendar",
        "Community management",
        "Employee advocacy",
        "Social listening",
        "Influencer programme",
    ],
    "Product marketing": [
        "Positioning",
        "Launch plan",
        "Release notes",
        "Competitive intelligence",
        "Customer references",
    ],
    "Events": ["Roadshows", "Customer dinners", "User conference", "Field events", "Event budget"],
    "eCommerce": [
        "Checkout and payments",
        "Product feed",
        "Order follow-up",
        "Abandoned basket emails",
        "Marketplace listings",
    ],
}
THEME_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "Webinars": ("Demand Generation", "Field Marketing", "Product Marketing"),
    "Trade shows": ("Field Marketing", "Brand & Communications"),
    "Content": ("Brand & Communications", "Product Marketing", "Customer Marketing"),
    "Paid media": ("Digital Marketing", "Demand Generation"),
    "Lead management": ("Marketing Operations", "Inside Sales", "Sales Operations"),
    "Deals": ("Field Sales", "Key Accounts", "Pricing & Deal Desk", "Sales Engineering"),
    "Website": ("Digital Marketing", "Marketing Operations", "eCommerce"),
    "Sales enablement": ("Product Marketing", "Sales Engineering", "Sales Operations"),
    "Prospecting": ("Inside Sales", "Field Sales", "Partner Sales"),
    "Public relations": ("Brand & Communications",),
    "Partners": ("Partner Sales",),
    "Customer success": ("Customer Success", "Customer Marketing", "Key Accounts"),
    "Email nurture": ("Demand Generation", "Marketing Operations", "Customer Marketing"),
    "Brand": ("Brand & Communications", "Digital Marketing"),
    "Pricing": ("Pricing & Deal Desk", "Sales Operations"),
    "Operations": ("Sales Operations", "Marketing Operations"),
    "Social media": ("Brand & Communications", "Digital Marketing", "Customer Marketing"),
    "Product marketing": ("Product Marketing",),
    "Events": ("Field Marketing", "Customer Marketing"),
    "eCommerce": ("eCommerce", "Digital Marketing"),
}
AGENCY_THEMES = {
    "Webinars",
    "Trade shows",
    "Content",
    "Paid media",
    "Website",
    "Public relations",
    "Brand",
    "Social media",
    "Events",
    "Partners",
    "Prospecting",
}
STAGE_NAMES = [
    "Cold lead",
    "Engaged",
    "Nurture",
    "Marketing-qualified lead",
    "Sales-accepted lead",
    "Discovery",
    "Sales-qualified lead",
    "Solution design",
    "Technical validation",
    "Business case",
    "Proposal",
    "Commercial review",
    "Negotiation",
    "Legal review",
    "Security review",
    "Procurement",
    "Verbal commit",
    "Contract signature",
    "Order booking",
    "Handover to delivery",
]
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Nikhil",
    "Olga",
    "Pablo",
    "Qing",
    "Rosa",
    "Sami",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Aisha",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Erin",
    "Femi",
    "Greta",
    "Hamza",
    "Ivy",
    "Jun",
    "Kofi",
    "Lucía",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Rafael",
    "Sofia",
    "Theo",
    "Valentina",
    "Will",
    "Yara",
]
LAST_NAMES = [
    "Ruiz",
    "Osei",
    "Hoffmann",
    "Brennan",
    "Wójcik",
    "Raman",
    "Whitfield",
    "Adeyemi",
    "Tanaka",
    "Nguyen",
    "Kowalski",
    "Silva",
    "Okafor",
    "Larsen",
    "Dubois",
    "Rossi",
    "Müller",
    "Novak",
    "Haddad",
    "Kim",
    "Patel",
    "Moreau",
    "Jensen",
    "García",
    "Ivanova",
    "O'Brien",
    "Schmidt",
    "Costa",
    "Yilmaz",
    "Andersson",
    "Fischer",
    "Mensah",
    "Chen",
    "Lopez",
    "Berg",
    "Sato",
    "Murphy",
    "Petrov",
    "Fernández",
    "Nakamura",
]
GLOSSARY = [
    ("MQL", "Marketing-qualified lead: a warm lead marketing hands to sales."),
    ("SAL", "Sales-accepted lead: an MQL a sales development representative accepted."),
    ("SQL", "Sales-qualified lead: qualified on a discovery call."),
    ("Touchpoint", "One tracked interaction; about 3–5 warm a lead and 5–15 close one."),
    ("Warm lead", "A contact who fits the profile and has engaged about 3–5 times."),
    ("Cold lead", "A contact who has not engaged yet."),
    ("ICP", "Ideal customer profile: the companies we sell to best."),
    ("ABM", "Account-based marketing: campaigns aimed at named accounts."),
    ("ARR", "Annual recurring revenue."),
    ("QBR", "Quarterly business review with a customer."),
    ("MDF", "Market development funds paid to partners for agreed campaigns."),
    ("Deal registration", "A partner's claim on an opportunity, protecting it from conflict."),
    ("Win rate", "Closed-won opportunities divided by all closed opportunities."),
    ("Pipeline coverage", "Open pipeline divided by the quota it must cover."),
    ("Lead score", "Points for fit and engagement; 60 makes an MQL."),
    ("Nurture", "The email programme that keeps not-ready leads warm."),
    ("Recycle", "Sending a rejected or stalled lead back to nurture."),
    ("Battlecard", "One page on how to win against one competitor."),
    ("Deal desk", "The team that approves non-standard prices and terms."),
    ("Churn", "Customers who do not renew."),
    ("NRR", "Net revenue retention: revenue kept and grown from existing customers."),
    ("CAC", "Customer acquisition cost."),
    ("LTV", "Lifetime value of a customer."),
    ("Landing page", "A page built for one campaign and one call to action."),
    ("UTM", "Campaign tags on a link that tell analytics where a visit came from."),
    ("SLA", "Service-level agreement: how fast a handoff must be accepted or acted on."),
    ("Territory", "The accounts or region a seller owns."),
    ("Quota", "The bookings target of a seller or team for a period."),
    ("Forecast", "The bookings sales expects to close this quarter."),
    ("Persona", "A written portrait of a buyer role we sell to."),
    ("Positioning", "What we are, for whom, and why we are better."),
    ("Enablement", "Training and tools that help sellers sell."),
    ("Collateral", "Brochures, decks and sheets that sales uses with buyers."),
    ("Retainer", "A monthly fee for an agreed scope of agency work."),
    ("Statement of work", "The document that fixes an agency project's scope and fee."),
    ("Brief", "What the client asks an agency for: goal, audience, message, deadline."),
    ("Proof", "A draft sent for review and approval."),
    ("Upsell", "Selling an existing customer more of what they have."),
    ("Cross-sell", "Selling an existing customer a different product."),
    ("Renewal", "A customer extending their contract for another term."),
    ("Champion", "The person inside a customer who pushes for our deal."),
    ("RFP", "Request for proposal: a buyer's formal invitation to bid."),
]
GLOSSARY_CONTEXTS = [
    ("CSM", "Customer success", "Customer Success Manager: owns a customer after the sale."),
    ("CSM", "Partner sales", "Channel Sales Manager: recruits and manages resellers."),
]
"""A term with two meanings, each with the context it holds in."""
CONDITIONS = [
    "the budget is over £25,000",
    "the work is for a key account",
    "the campaign runs in more than one region",
    "the terms depart from the standard contract",
    "the launch is a new product line",
]
"""When a second role holds the accountable letter of an activity."""
ALTERNATIVES = [
    ("the work is for EMEA", "the work is outside EMEA"),
    ("it is a webinar or an event", "it is a paid campaign"),
    ("the buyer is a partner", "the buyer is a direct customer"),
]
"""Two roles that each hold R under their own condition ("Campaigns or Digital")."""
FIELD_TITLES = frozenset(
    {
        "Enterprise Account Executive",
        "Account Executive",
        "Field Marketing Manager",
        "Regional Marketing Manager",
    }
)
"""Roles on the road, whose clocks run on their holder's own working day."""
PHRASES = [
    "agreed at the start of each quarter and reviewed monthly",
    "run from the shared calendar so sales sees what is coming",
    "measured against the team's quarterly goals",
    "with every asset stored in the shared library",
    "using the approved templates and the brand guidelines",
    "tracked in the CRM against the campaign source",
    "following the regional legal checklist",
    "with results shared at the monthly review",
]
NOTES = [
    "first draft and layout only",
    "reviews the **final** version before it goes out; comments within 2 business days",
    "only for accounts in their own territory",
    "supplies the figures from the CRM report *Pipeline by source*",
    "signs off anything that mentions pricing or discounts",
    "joins the kick-off and the last review, not the weekly check-ins",
    "owns the budget line; asks the deal desk for anything over £10,000",
    "translates and localises the copy for their region",
    "is told when it ships, through the `#launches` channel",
    "keeps the checklist up to date after each round",
]
"""Per-role notes on an activity (Markdown)."""
PARAGRAPHS = [
    "The work starts from the brief agreed at the quarterly planning meeting. The brief names "
    "the **audience**, the *one* message and the date it must be live; anything not in the "
    "brief goes through the change process rather than being added on the way.",
    "Every asset is stored in the shared library under the campaign's code, so that sales and "
    "the agencies find the latest version without asking. Superseded files move to the archive "
    "folder; nothing is deleted before the end of the financial year.",
    "Results are reported against the team's goals at the monthly review: reach, MQLs and the "
    "share of MQLs sales accepted. A result more than 20 % below plan gets a short written "
    "explanation and, where it helps, a change to the next round.",
    "Legal reviews anything that makes a claim about a competitor, quotes a customer or "
    "offers a price. Allow **5 business days** for that review; a rush review needs the head "
    "of the team to ask for it in writing.",
    "Regional teams adapt the material to their market: language, currency, legal footer and "
    "examples. They do not change the positioning; if it does not fit their market they raise "
    "it with product marketing instead.",
    "The CRM is the record: every touchpoint, response and handover is logged against the "
    "contact and the campaign source, so that attribution and the SLA clocks work. Spreadsheets "
    "kept on the side are not the record.",
    "When a step slips, the responsible role tells the accountable one the same day, with a new "
    "date. Two slips in a row go to the weekly review, where the owner decides whether to cut "
    "scope, add help or move the date.",
]
"""Paragraphs of a long activity description (Markdown)."""
STEPS = [
    "Agree the brief and the budget",
    "Draft, then review with the consulted roles",
    "Localise for each region that runs it",
    "Check links, tracking codes and the legal footer",
    "Publish and tell the informed roles",
    "Report results at the next monthly review",
    "Archive the assets in the shared library",
]
"""Steps of the numbered list in a long activity description."""


def slug(text: str) -> str:
    """An id from a name: ``Field Sales EMEA`` → ``field-sales-emea``."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


class _Ids:
    """Unique ids within one section: a clash gets ``-2``, ``-3`` …"""

    def __init__(self) -> None:
        self.taken: set[str] = {"index"}

    def __call__(self, text: str) -> str:
        base = slug(text)
        ident, n = base, 1
        while ident in self.taken:
            n += 1
            ident = f"{base}-{n}"
        self.taken.add(ident)
        return ident


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` uneven counts (each at least 1) that sum exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [max(1, math.floor(w * scale)) for w in weights]
    i = 0
    while sum(counts) < total:
        counts[i % parts] += 1
        i += 1
    while sum(counts) > total:
        if counts[i % parts] > 1:
            counts[i % parts] -= 1
        i += 1
    return counts


def _skewed(total: int, parts: int, rng: random.Random, big: float, rest_skewed: bool) -> list[int]:
    """``total`` split into ``parts`` counts (each at least 1): the first holds ``big`` of all,
    the rest spread evenly or, with ``rest_skewed``, heavy-tailed."""
    if parts == 1:
        return [total]
    first = min(total - (parts - 1), max(1, round(big * total))) if big else 0
    remaining = total - first
    if not rest_skewed:
        rest = _spread(remaining, parts - (1 if first else 0), rng)
    else:
        count = parts - (1 if first else 0)
        weights = [min(8.0, rng.paretovariate(1.3)) for _ in range(count)]  # at most ~8 × the least
        scale = (remaining - count) / sum(weights)
        rest = [1 + math.floor(w * scale) for w in weights]
        i = 0
        while sum(rest) < remaining:
            rest[i % count] += 1
            i += 1
    return ([first] if first else []) + rest


class _Builder:
    def __init__(self, size: Size, seed: int, shape: Shape = SHAPES["typical"]) -> None:
        self.size = size
        self.shape = shape
        self.rng = random.Random(seed)
        names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(names)
        self.names = names
        self.teams: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.team_roles: dict[str, list[str]] = {}
        self.leads: dict[str, str] = {}
        self.stages: list[dict[str, Any]] = []
        self.activities: list[dict[str, Any]] = []
        self.areas: list[dict[str, Any]] = []

    def name(self) -> str:
        return self.names.pop()

    def build(self) -> dict[str, dict[str, Any]]:
        self.build_teams()
        self.build_roles()
        self.build_stages()
        self.build_areas()
        self.build_activities()
        handoffs = self.build_handoffs()
        engagements = self.build_engagements()
        cadences = self.build_cadences()
        people = self.build_people()
        self.cover_unused_roles(handoffs, engagements, cadences)
        glossary = [
            {"term": term, "definition": text} for term, text in GLOSSARY[: self.size.glossary]
        ]
        glossary += [
            {"term": term, "context": context, "definition": text}
            for term, context, text in GLOSSARY_CONTEXTS
        ]
        files: dict[str, dict[str, Any]] = {
            "organisation.yaml": {"organisation": self.organisation()},
            "teams.yaml": {"teams": self.teams},
            "roles.yaml": {"roles": self.roles},
            "people.yaml": {"people": people},
            "lifecycle.yaml": {"stages": self.stages},
            "handoffs.yaml": {"handoffs": handoffs},
            "engagements.yaml": {"engagements": engagements},
            "cadences.yaml": {"cadences": cadences},
            "glossary.yaml": {"glossary": glossary},
        }
        chunks = max(4, math.ceil(len(self.activities) / 500))
        per = math.ceil(len(self.activities) / chunks)
        for n in range(chunks):
            part = self.activities[n * per : (n + 1) * per]
            if part:
                files[f"activities-{n + 1:02d}.yaml"] = {"activities": part}
        return files

    def organisation(self) -> dict[str, Any]:
        return {
            "name": "Globex Industrial Supplies",
            "summary": (
                "Globex sells industrial supplies to manufacturers in "
                f"{len(REGIONS)} regions through field, inside and partner sales, and to small "
                "workshops through its online shop.\n\nThis playbook says **who does what** "
                "between marketing, sales and our agencies: who owns each lifecycle stage, how "
                "leads are handed over and how fast, and who is accountable for each activity."
            ),
            "version": "2026.1",
            "effective": dt.date(2026, 3, 2),
            "maintainer": self.leads[self.internal[0]["id"]],
            "model": "RACI",
            "business_hours": {
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "start": "09:00",
                "end": "17:30",
                "timezone": "Europe/London",
                "holidays": [dt.date(2026, 1, 1), dt.date(2026, 12, 25), dt.date(2026, 12, 28)],
            },
        }

    def build_teams(self) -> None:
        ids = _Ids()
        combos = [(f, r) for r in REGIONS for f in FUNCTIONS]
        self.rng.shuffle(combos)
        functions = list(FUNCTIONS)
        internal_count = self.size.teams - self.size.external
        chosen: list[tuple[str, str]] = []
        for i in range(internal_count):  # every function once before any repeats
            if i < len(functions):
                region = REGIONS[i % len(REGIONS)]
                chosen.append((functions[i], region))
            else:
                chosen.append(next(c for c in combos if c not in chosen))
        self.internal: list[dict[str, Any]] = []
        for function, region in chosen:
            team: dict[str, Any] = {
                "id": ids(f"{function} {region}"),
                "name": f"{function} {region}",
                "kind": "internal",
                "purpose": f"{function} for {region}: "
                + (
                    "turns warm leads into orders and accounts."
                    if "Sales" in function or "Account" in function
                    else "builds reach and credibility and hands sales warm leads."
                ),
                "horizon": "This quarter" if "Sales" in function else "Next quarter and beyond",
                "goals": self.goals(function),
                "_function": function,
                "_region": region,
            }
            self.internal.append(team)
        self.external: list[dict[str, Any]] = []
        for i in range(self.size.external):
            name, what, zone = AGENCIES[i % len(AGENCIES)]
            if i >= len(AGENCIES):
                name = f"{name} {REGIONS[i // len(AGENCIES)]}"
            team = {
                "id": ids(name),
                "name": name,
                "kind": "external",
                "business_hours": {"timezone": zone},
                "purpose": f"Our {what}. Works to the engagement scope; never our sales team.",
            }
            self.external.append(team)
        self.teams = self.internal + self.external

    def goals(self, function: str) -> list[dict[str, Any]]:
        pool = [
            ("Hand sales enough warm leads that they accept", "MQLs accepted", 150, "quarter"),
            ("Send leads sales wants", "Share of MQLs accepted", "70 %", "quarter"),
            ("Open new accounts", "New accounts with a first order", 45, "quarter"),
            (
                "Contact every accepted lead inside the SLA",
                "Contacted within 1 business day",
                "95 %",
                "week",
            ),
            ("Keep the customers we win", "Net revenue retention", "108 %", "year"),
            (
                "Deliver agreed collateral on time",
                "Requests delivered by the agreed date",
                "90 %",
                "month",
            ),
        ]
        picks = self.rng.sample(pool, self.rng.randint(1, 3))
        return [
            {"id": slug(s)[:40].strip("-"), "statement": s, "metric": m, "target": t, "horizon": h}
            for s, m, t, h in picks
        ]

    def build_roles(self) -> None:
        ids = _Ids()
        counters: dict[str, int] = {}
        external_roles = self.size.external * 4 if self.size.external else 0
        internal_roles = self.size.roles - external_roles
        per_team = _spread(internal_roles, len(self.internal), self.rng)

        def add(team: dict[str, Any], name: str, kind: str = "person", lead: bool = False) -> None:
            ident = ids(name)
            role: dict[str, Any] = {"id": ident, "name": name, "team": team["id"]}
            if kind != "person":
                role["kind"] = kind
            role["summary"] = self.role_summary(name, team, kind, lead)
            if kind == "queue" or (kind == "person" and self.rng.random() < 0.85):
                role["holders"] = [self.name()]
            if name.rstrip("0123456789 ") in FIELD_TITLES:
                role["business_hours"] = {"timezone": "local"}
            if lead and len(self.leads) % 3 == 0 and team in self.internal:
                role["goals"] = [
                    {
                        "id": "own-plan",
                        "statement": f"Deliver the plan of {team['name']}",
                        "metric": "Plan items delivered on time",
                        "target": "90 %",
                        "horizon": "quarter",
                        "period": "FY2027",
                    }
                ]
            self.roles.append(role)
            self.team_roles.setdefault(team["id"], []).append(ident)
            if lead:
                self.leads[team["id"]] = ident

        for team, count in zip(self.internal, per_team, strict=False):
            function = team["_function"]
            add(team, f"Head of {team['name']}", lead=True)
            for k in range(count - 1):
                if k == 3 and function in ("Sales Operations", "Marketing Operations"):
                    add(team, f"{team['name']} Lead Queue", kind="queue")
                    continue
                if k == 5 and function == "eCommerce":
                    add(team, f"{team['name']} Web Checkout", kind="system")
                    continue
                title = self.rng.choice(FUNCTIONS[function])
                counters[title] = counters.get(title, 0) + 1
                add(team, f"{title} {counters[title]}")
        for team in self.external:
            short = team["name"].split()[0]
            add(team, f"{short} {AGENCY_TITLES[0]}", lead=True)
            for title in self.rng.sample(AGENCY_TITLES[1:], 3):
                add(team, f"{short} {title}")

    def role_summary(self, name: str, team: dict[str, Any], kind: str, lead: bool) -> str:
        if lead:
            return (
                f"Leads {team['name']}: sets its plan and budget and is accountable for most "
                "of what it delivers."
            )
        if kind == "queue":
            return (
                "The CRM queue new leads land in; routing rules score, de-duplicate and "
                "assign them."
            )
        if kind == "system":
            return "The checkout: takes payment and sends order confirmations."
        return f"Works in {team['name']}, {self.rng.choice(PHRASES)}."

    def build_stages(self) -> None:
        chain_count = self.size.stages - 3
        ids = _Ids()
        chain: list[dict[str, Any]] = []
        for i in range(chain_count):
            base = STAGE_NAMES[i % len(STAGE_NAMES)]
            rounds = i // len(STAGE_NAMES)
            name = base if not rounds else f"{base} (track {rounds + 1})"
            chain.append({"id": ids(name), "name": name})
        terminals: list[dict[str, Any]] = [
            {"id": ids(n), "name": n} for n in ("Closed won", "Closed lost", "Disqualified")
        ]
        owners = [self.leads[t["id"]] for t in self.internal]
        for i, stage in enumerate(chain):
            stage["owner"] = owners[i % len(owners)]
            stage["definition"] = (
                f"A record in **{stage['name']}**: the previous stage's exit "
                "criteria are met and the owner has accepted it."
            )
            stage["entry"] = [
                "Exit criteria of the previous stage met",
                "Owner assigned in the CRM",
            ]
            stage["exit"] = ["Moves on when the next stage's entry criteria are met"]
            if i < 5:
                stage["touchpoints"] = f"{i}-{i + 3}"
            stage["probability"] = min(90, 1 + round(90 * i / max(1, chain_count - 1)))
            if i % 6 != 5:
                field = "Lead status" if i < 5 else "Opportunity stage"
                stage["maps_to"] = {"Salesforce": f"{field} {i + 1}"}
            stage["max_duration"] = self.rng.choice(
                ["5 business days", "10 business days", "30 days", "3 months"]
            )
            if i + 1 < chain_count:
                nxt = [chain[i + 1]["id"]]
            else:
                nxt = [terminals[0]["id"], terminals[1]["id"]]
            if i % 4 == 3:
                nxt.append(chain[max(0, i - 3)]["id"])  # recycle to an earlier stage
            if i % 5 == 1:
                nxt.append(terminals[2]["id"])
            elif i > chain_count // 2 and i % 3 == 0:
                nxt.append(terminals[1]["id"])
            stage["next"] = list(dict.fromkeys(nxt))
        for stage, probability, reasons in zip(
            terminals,
            (100, 0, 0),
            (
                [],
                ["Price", "Chose a competitor", "No decision", "Project cancelled"],
                ["Not in our market", "Unsubscribed", "Competitor or supplier"],
            ),
            strict=False,
        ):
            stage["owner"] = owners[0]
            stage["definition"] = f"End of the lifecycle: {stage['name'].lower()}."
            stage["probability"] = probability
            stage["terminal"] = True
            if reasons:
                stage["reasons"] = reasons
        self.stages = chain + terminals
        self.chain = chain

    def build_areas(self) -> None:
        themes = list(THEMES)
        if self.size.areas <= len(themes):
            names: list[tuple[str, str | None]] = [(t, None) for t in themes[: self.size.areas]]
        else:
            groups: list[str | None] = ["EMEA", "Americas", "APAC", "Partners", "Global"]
            names = [(t, g) for g in groups for t in themes][: self.size.areas]
        load = {t["id"]: 0 for t in self.internal}

        def least_loaded(teams: list[dict[str, Any]]) -> dict[str, Any]:
            return min(teams, key=lambda t: load[t["id"]])

        agency_cycle = 0
        for theme, group in names:
            related = [t for t in self.internal if t["_function"] in THEME_FUNCTIONS[theme]]
            home = least_loaded(related or self.internal)
            load[home["id"]] += 1
            others = [t for t in related if t is not home]
            rest = [t for t in self.internal if t is not home and t not in others]
            secondary = self.rng.sample(others, min(1, len(others)))
            secondary += self.rng.sample(rest, min(2 - len(secondary), len(rest)))
            external = None
            if theme in AGENCY_THEMES and self.external:
                external = self.external[agency_cycle % len(self.external)]
                agency_cycle += 1
            self.areas.append(
                {
                    "name": theme if group is None else f"{theme} — {group}",
                    "theme": theme,
                    "home": home,
                    "secondary": secondary,
                    "external": external,
                }
            )
        idle = [
            t
            for t in self.internal
            if all(t is not a["home"] and t not in a["secondary"] for a in self.areas)
        ]
        for n, team in enumerate(idle):  # every team works somewhere
            self.areas[(5 * n + 2) % len(self.areas)]["secondary"].append(team)
        unused = [t for t in self.external if all(a["external"] is not t for a in self.areas)]
        for n, team in enumerate(unused):  # every agency works in at least one area
            self.areas[(3 * n + 1) % len(self.areas)]["external"] = team

    def build_activities(self) -> None:
        ids = _Ids()
        shape = self.shape
        if shape.big_area or shape.skewed_rest:
            counts = _skewed(
                self.size.activities, len(self.areas), self.rng, shape.big_area, shape.skewed_rest
            )
            at = self.rng.randrange(len(counts))  # which area is the big one
            counts = counts[1 : at + 1] + counts[:1] + counts[at + 1 :]
        else:
            counts = _spread(self.size.activities, len(self.areas), self.rng)
        region_counter: dict[str, int] = {}
        stages = [s["id"] for s in self.chain]
        for area, count in zip(self.areas, counts, strict=False):
            home_roles = self.team_roles[area["home"]["id"]]
            lead = home_roles[0]
            deputies = home_roles[1:3]
            workers = home_roles[1:] or home_roles
            side = [r for t in area["secondary"] for r in self.team_roles[t["id"]]]
            ext_roles = self.team_roles[area["external"]["id"]] if area["external"] else []
            templates = THEMES[area["theme"]]
            audience: list[str] = []
            if shape.crowd:  # the area's own teams and a few others it keeps informed
                own = {area["home"]["id"], *(t["id"] for t in area["secondary"])}
                others = [t for t in self.internal if t["id"] not in own]
                extra = self.rng.sample(others, min(CROWD_TEAMS, len(others)))
                audience = home_roles + side + [r for t in extra for r in self.team_roles[t["id"]]]
            for k in range(count):
                template = templates[k % len(templates)]
                region_counter[template] = region_counter.get(template, 0) + 1
                name = f"{template} — Region {region_counter[template]}"
                used: list[str] = []
                pick = functools.partial(self.pick, used)
                accountable = pick([lead] * 3 + deputies, 1)
                responsible = pick(workers, self.rng.randint(1, 2))
                if ext_roles and self.rng.random() < 0.4:
                    responsible += pick(ext_roles, 1)
                if not responsible:
                    responsible = pick(side, 1)
                consulted = pick(side, self.rng.choice(shape.consulted))
                if audience and self.rng.random() < shape.crowd:
                    informed = pick(audience, self.rng.randint(*CROWD_INFORMED))
                else:
                    informed = pick(side + home_roles, self.rng.choice(shape.informed))
                holders: list[Any] = list(responsible)
                if len(responsible) == 2 and self.rng.random() < 0.1:
                    conditions = self.rng.choice(ALTERNATIVES)
                    holders = [
                        {"role": role, "when": when}
                        for role, when in zip(responsible, conditions, strict=True)
                    ]
                raci: dict[str, Any] = {"R": holders, "A": accountable[0]}
                second = pick(deputies, 1) if self.rng.random() < 0.06 else []
                if second:
                    raci["A"] = [
                        accountable[0],
                        {"role": second[0], "when": self.rng.choice(CONDITIONS)},
                    ]
                if consulted:
                    raci["C"] = consulted
                if informed:
                    raci["I"] = informed
                activity: dict[str, Any] = {
                    "id": ids(f"{slug(area['name'])}-{slug(template)}-{region_counter[template]}"),
                    "name": name,
                    "area": area["name"],
                }
                if self.rng.random() < 0.6:
                    activity["stage"] = self.rng.choice(stages)
                activity["description"] = (
                    f"{template} for region {region_counter[template]}, {self.rng.choice(PHRASES)}."
                )
                if shape.long_descriptions and self.rng.random() < shape.long_descriptions:
                    activity["description"] += self.long_description()
                activity["raci"] = raci
                if self.rng.random() < shape.note_rate:
                    if shape.notes_max <= 1:
                        activity["notes"] = {responsible[0]: "first draft and layout only"}
                    else:
                        holders_ = list(dict.fromkeys(_role_ids(raci)))
                        chosen = self.rng.sample(
                            holders_, min(len(holders_), self.rng.randint(1, shape.notes_max))
                        )
                        activity["notes"] = {r: self.rng.choice(NOTES) for r in chosen}
                self.activities.append(activity)

    def long_description(self) -> str:
        """Two to four paragraphs and a numbered list, appended to the one-line description."""
        paragraphs = self.rng.sample(PARAGRAPHS, self.rng.randint(2, 4))
        steps = STEPS[: self.rng.randint(3, len(STEPS))]
        listed = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
        at = self.rng.randrange(len(paragraphs) + 1)
        blocks = paragraphs[:at] + [f"How it runs:\n\n{listed}"] + paragraphs[at:]
        return "\n\n" + "\n\n".join(blocks) + "\n"

    def pick(self, used: list[str], pool: list[str], n: int) -> list[str]:
        """Up to ``n`` roles of ``pool`` not in ``used`` (which they join)."""
        free = [r for r in pool if r not in used]
        chosen = self.rng.sample(free, min(n, len(free)))
        used.extend(chosen)
        return chosen

    def build_handoffs(self) -> list[dict[str, Any]]:
        ids = _Ids()
        handoffs = []
        internal_roles = [r for t in self.internal for r in self.team_roles[t["id"]]]
        for n in range(self.size.handoffs):
            index = 1 + n % (len(self.chain) - 1)
            stage = self.chain[index]
            sender = internal_roles[(n * 7) % len(internal_roles)]
            receiver = internal_roles[(n * 13 + 5) % len(internal_roles)]
            if receiver == sender:
                receiver = internal_roles[(n * 13 + 6) % len(internal_roles)]
            back = self.chain[max(0, index - 1 - n % 3)]
            handoff: dict[str, Any] = {"id": ids(f"{stage['id']}-to-{receiver}")}
            if n % 3 != 2:
                handoff["name"] = f"{stage['name']} handover {n + 1}"
            handoff |= {
                "from": sender,
                "to": receiver,
                "stage": stage["id"],
                "trigger": f"The record meets the entry criteria of **{stage['name']}**.",
                "passes": ["CRM record", "Touchpoint history", "Campaign source"],
                "sla": {
                    "accept": self.rng.choice(["4 business hours", "1 business day"]),
                    "first_contact": self.rng.choice(["1 business day", "2 business days"]),
                },
                "on_reject": {
                    "to": back["id"],
                    "reasons": ["Not a fit", "Duplicate", "Missing information"],
                    "feedback": "Rejections are reviewed every Monday with the sender.",
                },
                "escalation": "The receiving team's head after 2 business days.",
            }
            if n % 10 == 0:
                handoff["to"] = self.routes(sender, receiver, n)
            if n % 3 == 0:
                handoff["sla"]["first_contact"] = {
                    "within": handoff["sla"]["first_contact"],
                    "target": "2 business hours",
                    "from": "the receiver accepts the record",
                    "label": "First contact",
                }
            if n % 4 == 1:
                handoff["sla"]["speed_to_lead"] = {
                    "within": "30 business minutes",
                    "target": "10 business minutes",
                    "from": "the lead fills in a form",
                    "label": "Speed to lead",
                }
            if n % 5 == 2:
                handoff["on_reject"] = [
                    {
                        "to": back["id"],
                        "when": "the sender can still qualify it",
                        "owner": sender,
                        "reasons": ["Missing information"],
                        "feedback": "Back to the sender, who completes the record.",
                    },
                    {
                        "to": self.stages[-1]["id"],
                        "when": "it will never buy",
                        "reasons": ["Not in our market", "Competitor or supplier"],
                    },
                ]
            handoffs.append(handoff)
        return handoffs

    def routes(self, sender: str, receiver: str, n: int) -> list[dict[str, Any]]:
        """A routing tree as one handoff: two conditional routes, then ``receiver``."""
        leads = [lead for lead in self.leads.values() if lead not in (sender, receiver)]
        first, second = leads[n % len(leads)], leads[(n + 1) % len(leads)]
        return [
            {"role": first, "when": "the account sits in a named territory"},
            {"role": second, "when": "the account has an open opportunity"},
            {"role": receiver},
        ]

    def build_engagements(self) -> list[dict[str, Any]]:
        ids = _Ids()
        engagements = []
        by_party: dict[str, list[dict[str, Any]]] = {}
        for activity in self.activities:
            letters = list(_role_ids(activity["raci"]))
            for team in self.external:
                if any(r in self.team_roles[team["id"]] for r in letters):
                    by_party.setdefault(team["id"], []).append(activity)
        for n in range(self.size.engagements):
            team = self.external[n % len(self.external)]
            year = 2026 + n // len(self.external)
            party_activities = by_party.get(team["id"], [])
            in_scope = self.rng.sample(party_activities, min(25, len(party_activities)))
            party_ids = {a["id"] for a in party_activities}
            areas = {a["area"] for a in in_scope}
            candidates = [
                a for a in self.activities if a["area"] in areas and a["id"] not in party_ids
            ]
            out_scope = self.rng.sample(candidates, min(8, len(candidates)))
            order = {a["id"]: i for i, a in enumerate(self.activities)}
            home = next(a["home"] for a in self.areas if a["external"] is team)
            client = self.leads[home["id"]]
            party = self.leads[team["id"]]
            engagements.append(
                {
                    "id": ids(f"{team['id']}-{year}"),
                    "name": f"{team['name']} — {year} retainer",
                    "party": team["id"],
                    "client_contact": client,
                    "party_contact": party,
                    "starts": dt.date(year, 3, 2),
                    "ends": dt.date(year + 1, 2, 26),
                    "in_scope": sorted((a["id"] for a in in_scope), key=order.__getitem__),
                    "out_of_scope": sorted((a["id"] for a in out_scope), key=order.__getitem__),
                    "deliverables": [
                        {
                            "name": f"{a['name']} (final files)",
                            "quantity": 1 + i % 4,
                            "due": dt.date(year, 4 + i % 9, 15),
                        }
                        for i, a in enumerate(in_scope[:6])
                    ],
                    "approvals": {
                        "approver": client,
                        "review_window": "5 business days",
                        "silence_means_approval": False,
                    },
                    "change_process": "Changes are agreed **in writing** by both contacts; changes "
                    "over £2,500 also need the head of the client team.",
                    "sign_off": [client, party],
                }
            )
        return engagements

    def build_cadences(self) -> list[dict[str, Any]]:
        ids = _Ids()
        cadences = []
        every = ["day", "week", "fortnight", "month", "quarter"]
        for n in range(self.size.cadences):
            team = self.internal[n % len(self.internal)]
            roles = self.team_roles[team["id"]]
            cadences.append(
                {
                    "id": ids(f"{team['name']} {every[n % len(every)]} review"),
                    "name": f"{team['name']} {every[n % len(every)]}ly review".replace(
                        "dayly", "daily"
                    ),
                    "every": every[n % len(every)],
                    "chair": roles[0],
                    "attendees": roles[1:6],
                    "purpose": (
                        "Pipeline, rejected leads and collateral requests since the last review."
                    ),
                }
            )
        return cadences

    def build_people(self) -> list[dict[str, Any]]:
        persons = [r for r in self.roles if "kind" not in r]
        people = []
        for _ in range(self.size.people):
            chosen = self.rng.sample(persons, self.rng.choice((2, 2, 3)))
            people.append({"name": self.name(), "roles": [r["id"] for r in chosen]})
        return people

    def cover_unused_roles(
        self,
        handoffs: list[dict[str, Any]],
        engagements: list[dict[str, Any]],
        cadences: list[dict[str, Any]],
    ) -> None:
        """Give every role nothing else mentions an Informed letter in an area its team works in."""
        used: set[str] = set()
        for activity in self.activities:
            used.update(_role_ids(activity["raci"]))
        used.update(s["owner"] for s in self.stages)
        for h in handoffs:
            used.add(h["from"])
            used.update(h["to"] if isinstance(h["to"], str) else (r["role"] for r in h["to"]))
        for e in engagements:
            used.update((e["client_contact"], e["party_contact"]))
        for c in cadences:
            used.add(c["chair"])
            used.update(c["attendees"])
        areas = {a["name"]: a for a in self.areas}

        def works_in(team: str, activity: dict[str, Any]) -> bool:
            area = areas[activity["area"]]
            teams = [area["home"]["id"]] + [t["id"] for t in area["secondary"]]
            if area["external"] is not None:
                teams.append(area["external"]["id"])
            return team in teams

        for role in self.roles:
            if role["id"] in used:
                continue
            candidates = [a for a in self.activities if works_in(role["team"], a)]
            activity = self.rng.choice(candidates or self.activities)
            activity["raci"].setdefault("I", []).append(role["id"])


def _role_ids(raci: dict[str, Any]) -> list[str]:
    """Every role holding a letter: plain ids and conditional holders ``{role, when}``."""
    found = []
    for value in raci.values():
        for holder in value if isinstance(value, list) else [value]:
            found.append(holder if isinstance(holder, str) else holder["role"])
    return found


def generate(size: str, seed: int = 0, shape: str = "typical") -> dict[str, dict[str, Any]]:
    """The files of a synthetic playbook: ``{file name: YAML data}`` (not for ``S``)."""
    if size not in SIZES:
        raise ValueError(f"unknown size '{size}' (sizes: {', '.join(SIZES)})")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape '{shape}' (shapes: {', '.join(SHAPES)})")
    files = _Builder(SIZES[size], seed, SHAPES[shape]).build()
    for data in files.values():
        for items in data.values():
            for item in items if isinstance(items, list) else []:
                for key in [k for k in item if k.startswith("_")]:
                    del item[key]
    return files


def _dump(data: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def write(
    size: str,
    out_dir: Path | str,
    seed: int = 0,
    *,
    force: bool = False,
    shape: str = "typical",
) -> list[Path]:
    """Write the playbook of ``size`` and ``shape`` into ``out_dir``; returns the files written.

    Refuses a folder that already holds YAML files unless ``force`` (then they are replaced).
    ``S`` is the shipped example, which has one shape: ``typical``.
    """
    if size == "S" and shape != "typical":
        raise ValueError("S is the shipped example; shapes apply to M, L and XL")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape '{shape}' (shapes: {', '.join(SHAPES)})")
    out = Path(out_dir)
    existing = sorted(p for p in out.glob("*.y*ml")) if out.is_dir() else []
    if existing and not force:
        raise FileExistsError(f"{out} already holds YAML files (use --force to replace them)")
    for path in existing:
        path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    if size == "S":
        written = []
        for path in sorted(EXAMPLE.glob("*.y*ml")):
            shutil.copyfile(path, out / path.name)
            written.append(out / path.name)
        return written
    shaped = "" if shape == "typical" else f", shape {shape}"
    header = (
        f"# Synthetic playbook, size {size}, seed {seed}{shaped}: written by benchmarks/synth.py\n"
    )
    written = []
    for name, data in generate(size, seed, shape).items():
        target = out / name
        target.write_text(header + _dump(data), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth", description=__doc__.split("\n")[0]
    )
    parser.add_argument("size", choices=SIZE_NAMES, type=str.upper)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--shape",
        choices=SHAPE_NAMES,
        default="typical",
        help="how the same counts are laid out (typical; worst: every heavy trait at once)",
    )
    parser.add_argument("--force", action="store_true", help="replace YAML files already there")
    args = parser.parse_args(argv)
    try:
        files = write(args.size, args.out_dir, args.seed, force=args.force, shape=args.shape)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(files)} files in {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
