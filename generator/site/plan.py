"""The page plan: one table of page kinds, read for rendering, the navigation and every link.

A page kind says where its pages go (``roles/{}.md``), what each is called, where it sits in
the navigation, which template draws it and which view feeds that template. A link to a
thing (a role, a stage, an activity's row in the matrix, an engagement's printable page) is
made from the same table by :meth:`Plan.target`, so a path is written down once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Literal

from ..model import Activity, Playbook
from ..outputs import ENGAGEMENT_PAGE, OUTPUTS
from . import views
from .markdown import title_text
from .slugs import unique_slugs

SPLIT_MATRIX_AT = 150
"""Activities above which the matrix becomes pages by area; no matrix page holds more rows
than this (an area with more takes several)."""
MATRIX_CELLS = 1200
"""The filled cells (a role's letters on an activity) one matrix page holds at most: an area
whose activities each involve dozens of roles takes more pages of fewer rows."""
ACTIVITIES_PER_PAGE = 40
"""In a playbook whose matrix is split, the activities one page of an area's activities
holds (a page per activity would be thousands of pages)."""
NAV_CHILDREN_MAX = 40
"""Sections with more entries list only their index page in the navigation."""

CSS_PATH = "assets/playbook.css"
JS_PATH = "assets/playbook.js"
ASSETS = (CSS_PATH, JS_PATH)
"""Files of the site drawn from templates of the same name."""

FILES = {"printable": ENGAGEMENT_PAGE} | {output.key: output.path for output in OUTPUTS}
"""Files of the site that pages link to, by kind: an engagement's printable page (see
:mod:`generator.site.standalone`) and the produced files of :data:`generator.outputs.OUTPUTS`
(the downloads the RACI page offers)."""

Nav = Literal["top", "index", "child"]


@dataclass(frozen=True)
class PageKind:
    """One kind of page.

    Attributes:
        name: The kind, as links name it (``role``).
        path: Where its pages go; ``{}`` is the page's key (an id, or a slug for people
            and areas).
        template: The template that draws it.
        title: The page title, from the playbook and the page's id.
        entries: The ids of its pages, in order (``""`` for a kind with one page); none when
            the playbook has nothing for it.
        section: Its section of the navigation.
        nav: ``top`` (a section of one page), ``index`` (a section's first page) or
            ``child`` (listed under the section when it has at most ``NAV_CHILDREN_MAX``).
        view: Builds the view its template receives.
        wide: Material's sidebars are hidden to give a table room.
        printable: Each page also has a standalone printable copy (``FILES["printable"]``).
        search: Material's search: ``exclude`` leaves its pages out of the index (the
            matrix, whose every row would match), ``boost`` ranks them first (an activity's
            or a role's own page).
    """

    name: str
    path: str
    template: str
    title: Callable[[Playbook, str], str]
    entries: Callable[[Plan], Sequence[str]]
    section: str
    nav: Nav
    view: Callable[[views.Context, str], Any]
    wide: bool = False
    printable: bool = False
    search: Literal["index", "exclude", "boost"] = "index"


def _one(plan: Plan) -> Sequence[str]:
    return ("",)


def _one_if(present: Callable[[Plan], object]) -> Callable[[Plan], Sequence[str]]:
    return lambda plan: ("",) if present(plan) else ()


def _fixed(title: str) -> Callable[[Playbook, str], str]:
    return lambda playbook, ident: title


def _ids(section: str) -> Callable[[Plan], Sequence[str]]:
    return lambda plan: [entry.id for entry in getattr(plan.playbook, section)]


def _name(section: str) -> Callable[[Playbook, str], str]:
    """The title of an entry of ``section``: its name."""

    def title(playbook: Playbook, ident: str) -> str:
        entry = playbook.find(section, ident)
        return str(entry.name) if entry is not None else ident

    return title


def _areas(plan: Plan) -> Sequence[str]:
    return list(plan.matrix_pages)


def _activity_ids(plan: Plan) -> Sequence[str]:
    return [] if plan.split else [a.id for a in plan.playbook.activities]


def _activity_groups(plan: Plan) -> Sequence[str]:
    return list(plan.activity_groups)


def _people(plan: Plan) -> Sequence[str]:
    """Everyone with a page: every holder of a role, and everyone under ``people``."""
    return list(plan.playbook.people_index)


_RACI = "Who does what (RACI)"

# The table is aligned by hand: one page kind per entry, in the navigation's order.
# fmt: off
KINDS: tuple[PageKind, ...] = (
    PageKind("home", "index.md", "index.html.j2", lambda pb, _: pb.organisation.name,
             _one, "Overview", "top", views.home_view),
    PageKind("lifecycle", "lifecycle/index.md", "lifecycle.html.j2", _fixed("Lifecycle"),
             _one, "Lifecycle", "index", views.lifecycle_view),
    PageKind("stage", "lifecycle/{}.md", "stage.html.j2", _name("stages"),
             _ids("stages"), "Lifecycle", "child", views.stage_view),
    PageKind("handoffs", "handoffs/index.md", "handoffs.html.j2", _fixed("Handoffs"),
             _one, "Handoffs", "index", views.handoffs_view),
    PageKind("handoff", "handoffs/{}.md", "handoff.html.j2", views.handoff_title,
             _ids("handoffs"), "Handoffs", "child", views.handoff_view),
    PageKind("raci", "raci/index.md", "raci.html.j2", _fixed(_RACI),
             _one_if(lambda plan: not plan.split), "RACI", "index", views.matrix_view,
             wide=True, search="exclude"),
    PageKind("areas", "raci/index.md", "raci-areas.html.j2", _fixed(_RACI),
             _one_if(lambda plan: plan.split), "RACI", "index", views.areas_view),
    PageKind("area", "raci/{}.md", "raci.html.j2", _fixed("RACI"),
             _areas, "RACI", "child", views.matrix_view, wide=True, search="exclude"),
    PageKind("activity", "activities/{}.md", "activity.html.j2", _name("activities"),
             _activity_ids, "RACI", "child", views.activity_view, search="boost"),
    PageKind("activities", "activities/{}.md", "activities.html.j2", _fixed("Activities"),
             _activity_groups, "RACI", "child", views.activities_view, search="boost"),
    PageKind("teams", "teams/index.md", "teams.html.j2", _fixed("Teams"),
             _one, "Teams", "index", views.teams_view),
    PageKind("team", "teams/{}.md", "team.html.j2", _name("teams"),
             _ids("teams"), "Teams", "child", views.team_view),
    PageKind("roles", "roles/index.md", "roles.html.j2", _fixed("Roles"),
             _one, "Roles", "index", views.roles_view),
    PageKind("role", "roles/{}.md", "role.html.j2", _name("roles"),
             _ids("roles"), "Roles", "child", views.role_view, search="boost"),
    PageKind("people", "people/index.md", "people.html.j2", _fixed("People"),
             _one_if(_people), "People", "index", views.people_view),
    PageKind("person", "people/{}.md", "person.html.j2", lambda pb, name: name,
             _people, "People", "child", views.person_view),
    PageKind("engagements", "engagements/index.md", "engagements.html.j2", _fixed("Engagements"),
             _one_if(_ids("engagements")), "Engagements", "index", views.engagements_view),
    PageKind("engagement", "engagements/{}.md", "engagement.html.j2", _name("engagements"),
             _ids("engagements"), "Engagements", "child", views.engagement_view,
             printable=True),
    PageKind("cadences", "cadences.md", "cadences.html.j2", _fixed("Cadences"),
             _one_if(_ids("cadences")), "Cadences", "top", views.cadences_view),
    PageKind("glossary", "glossary.md", "glossary.html.j2", _fixed("Glossary"),
             _one_if(lambda plan: plan.playbook.glossary), "Glossary", "top",
             views.glossary_view),
    PageKind("changes", "changes.md", "changes.html.j2", _fixed("Changes"),
             _one_if(lambda plan: plan.playbook.changelog), "Changes", "top",
             views.changes_view),
)
# fmt: on
KIND = {kind.name: kind for kind in KINDS if kind.name != "areas"}
"""Page kinds by name (``areas`` and ``raci`` share their path: links say ``raci``)."""


@lru_cache(maxsize=1 << 16)
def _relative(target: str, start: str) -> str:
    """``posixpath.relpath``, remembered: a playbook links few folders to many pages."""
    return posixpath.relpath(target, start)


@dataclass(frozen=True)
class Chunk:
    """One page of an area's activities in a split playbook (a matrix page, or a page of
    activities)."""

    area: str
    part: int
    """This page's number among the area's pages, from 1."""
    parts: int
    """How many pages the area takes."""
    activities: tuple[Activity, ...]

    def title(self, lead: str) -> str:
        """``RACI: Prospecting``, ``RACI: Prospecting (2 of 3)``."""
        return f"{lead}{self.area}" + (f" ({self.part} of {self.parts})" if self.parts > 1 else "")


@dataclass(frozen=True)
class Page:
    """One page of the plan: where it goes, its kind and id, its title."""

    path: str
    kind: PageKind
    ident: str
    title: str


class Plan:
    """The pages of one playbook, and where every thing of it lives."""

    def __init__(self, playbook: Playbook, *, directory_urls: bool = True) -> None:
        self.playbook: Playbook = playbook
        self.directory_urls = directory_urls
        self.person_slug = unique_slugs(list(playbook.people_index), "person")
        self.hrefs: dict[tuple[str, str, str], str] = {}
        """Links made so far: (folder linked from, kind, id) → relative URL."""
        self.split: bool = len(playbook.activities) > SPLIT_MATRIX_AT
        self.areas: dict[str, list[Activity]] = {}
        for activity in playbook.activities:
            self.areas.setdefault(area_of(activity), []).append(activity)
        self.area_slug = unique_slugs(sorted(self.areas), "area")
        self.activity_groups: dict[str, Chunk] = {}
        """A split playbook's pages of activities, by key (``prospecting``,
        ``prospecting/2``)."""
        self.group_of: dict[str, str] = {}
        """Activity id → the key of its page of activities (a split playbook)."""
        self.matrix_pages: dict[str, Chunk] = {}
        """A split playbook's matrix pages, by key: an area's rows, at most
        ``SPLIT_MATRIX_AT`` to a page."""
        self.matrix_of: dict[str, str] = {}
        """Activity id → the key of the matrix page that has its row (a split playbook)."""
        if self.split:
            self.activity_groups, self.group_of = self._chunks(ACTIVITIES_PER_PAGE, None)
            self.matrix_pages, self.matrix_of = self._chunks(SPLIT_MATRIX_AT, MATRIX_CELLS)

    def _chunks(self, size: int, cells: int | None) -> tuple[dict[str, Chunk], dict[str, str]]:
        """Each area's activities in pages of at most ``size`` (and, with ``cells``, at
        most that many role–activity cells with letters, unless one activity has more), by
        key (the area's slug for its first page, ``slug/2`` … after), and the key of each
        activity's page."""
        chunks: dict[str, Chunk] = {}
        of: dict[str, str] = {}
        for area, activities in self.areas.items():
            pages: list[list[Activity]] = [[]]
            filled = 0
            for activity in activities:
                weight = sum(len(ids) for ids in activity.raci.values()) if cells else 0
                if pages[-1] and (len(pages[-1]) == size or cells and filled + weight > cells):
                    pages.append([])
                    filled = 0
                pages[-1].append(activity)
                filled += weight
            for part, chunk in enumerate(pages, start=1):
                key = self.area_slug[area] + (f"/{part}" if part > 1 else "")
                chunks[key] = Chunk(area, part, len(pages), tuple(chunk))
                of.update((a.id, key) for a in chunk)
        return chunks, of

    @cached_property
    def pages(self) -> list[Page]:
        """Every page, in the order of the table."""
        return [
            Page(self.path(kind, ident), kind, ident, self.title(kind, ident))
            for kind in KINDS
            for ident in kind.entries(self)
        ]

    def title(self, kind: PageKind, ident: str) -> str:
        if kind.name == "activities":
            return self.activity_groups[ident].title("Activities: ")
        if kind.name == "area":
            return self.matrix_pages[ident].title("RACI: ")
        return kind.title(self.playbook, ident)

    def path(self, kind: PageKind, ident: str = "") -> str:
        if kind.name == "person":
            return kind.path.format(self.person_slug[ident])
        return kind.path.format(ident)

    def target(self, kind: str, ident: str = "") -> str:
        """The page (or file) a link to ``kind`` ``ident`` goes to: a ``row`` is an
        activity's row in the matrix page that shows it."""
        if kind == "row":
            return self.path(KIND["area"], self.matrix_of[ident]) if self.split else "raci/index.md"
        if kind == "area":  # an area's (first) matrix page, by the area's name
            return self.path(KIND["area"], self.area_slug[ident])
        if kind == "matrix-page":  # a matrix page, by its key
            return self.path(KIND["area"], ident)
        if kind in FILES:
            return FILES[kind].format(ident)
        if kind == "activity" and self.split:  # its section of its area's page
            return self.path(KIND["activities"], self.group_of[ident])
        return self.path(KIND[kind], ident)

    def fragment(self, kind: str, ident: str) -> str:
        """The ``#…`` a link to ``kind`` ``ident`` ends with: an activity's row in the
        matrix, an activity's section of a page of activities."""
        if kind == "row" or (kind == "activity" and self.split):
            return f"#{ident}"
        return ""

    def page_url(self, page: str) -> str:
        """The URL path of a page relative to the site root, as MkDocs makes it."""
        return page_url(page, directory_urls=self.directory_urls)

    def navigation(self) -> list[Any]:
        """The navigation in MkDocs' syntax: a section per kind's ``section``, the pages of
        each child kind listed when there are at most ``NAV_CHILDREN_MAX`` of them."""
        nav: list[Any] = []
        sections: dict[str, list[Any]] = {}
        children: dict[tuple[str, str], list[Page]] = {}
        for page in self.pages:
            section = page.kind.section
            if page.kind.nav == "top":
                nav.append({section: page.path})
            elif page.kind.nav == "index":
                sections[section] = [page.path]
                nav.append({section: sections[section]})
            else:
                children.setdefault((section, page.kind.name), []).append(page)
        for (section, _), pages in children.items():
            if len(pages) <= NAV_CHILDREN_MAX and section in sections:
                sections[section] += [{title_text(p.title): p.path} for p in pages]
        return nav

    def links_from(self, here: str) -> Links:
        return Links(self, here)


def page_url(page: str, *, directory_urls: bool = True) -> str:
    """The URL path of a page relative to the site root, as MkDocs makes it:
    ``roles/owner.md`` → ``roles/owner/`` (``roles/owner.html`` without directory URLs)."""
    if not directory_urls:
        return page[:-3] + ".html"
    if page == "index.md":
        return ""
    if page.endswith("/index.md"):
        return page[: -len("index.md")]
    return page[:-3] + "/"


def area_of(activity: Activity) -> str:
    """The matrix group of an activity: its area, else ``Other``."""
    return activity.area or "Other"


class Links:
    """Links from one page to the things of the playbook, made from the plan."""

    def __init__(self, plan: Plan, here: str) -> None:
        self.plan = plan
        self.here = here
        self.folder = posixpath.dirname(here) or "."
        url = plan.page_url(here)
        base = url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)
        self.base = base or "."

    def href(self, kind: str, ident: str = "") -> str:
        """A link's target: the page's URL, relative (MkDocs rewrites nothing in our pages).
        Remembered for the plan, by the folder linked from: pages link to the same few
        things many times."""
        key = (self.base, kind, ident)
        found = self.plan.hrefs.get(key)
        if found is None:
            found = self.plan.hrefs[key] = self._href(kind, ident)
        return found

    def _href(self, kind: str, ident: str) -> str:
        target = self.plan.target(kind, ident)
        if kind in FILES:
            return _relative(target, self.base)
        dest = self.plan.page_url(target)
        bare = dest.rstrip("/")
        if bare == self.base or not bare and self.base == ".":
            rel = "./"
        else:  # the folder's way, remembered (few folders), then the page's own name
            folder, _, leaf = bare.rpartition("/")
            up = _relative(folder or ".", self.base)
            rel = (leaf if up == "." else f"{up}/{leaf}") if leaf else up
            if dest.endswith("/") or not dest:
                rel += "/"
        return rel + self.plan.fragment(kind, ident)
