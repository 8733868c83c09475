"""Model → ``{page path: Markdown}`` plus a navigation, through Jinja2 templates. No I/O.

User text is data: every value from the YAML reaches a page through one of the filters
below (``text``, ``cell``, ``md``, ``md_inline``, ``html``, ``title``), which make it inert
in its context. YAML values are never themselves rendered as templates.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from . import diagrams
from .model import Activity, BusinessHours, Duration, Engagement, Handoff, Playbook, Role, Stage

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout keeps them beside the package
    BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"

SPLIT_MATRIX_AT = 150
"""Activities above which the matrix becomes one page per area."""
NAV_CHILDREN_MAX = 40
"""Sections with more entries list only their index page in the navigation."""

CSS_PATH = "assets/playbook.css"
JS_PATH = "assets/playbook.js"

LETTER_HEADINGS = {
    "Accountable": "What you own",
    "Responsible": "What you do",
    "Consulted": "Where you are asked",
    "Informed": "What you are told",
    "Support": "Where you help",
    "Driver": "What you drive",
    "Approver": "What you approve",
    "Contributor": "Where you contribute",
}

_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]#|])")
_LINE_START = re.compile(r"^([-+]|\d+(?=[.)]))")
_CODE_SPLIT = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_LINK_TARGET = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*([^()\s]*(?:\([^()]*\)[^()\s]*)*)(\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(\S+)(.*)$", re.MULTILINE)
_SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(url: str) -> bool:
    """True for http(s), mailto and relative links; false for javascript:, data: …"""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return scheme is None or scheme[1] in _SAFE_SCHEMES


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the parts of ``text`` that are not Markdown code spans."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPLIT.finditer(text):
        out.append(change(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(change(text[last:]))
    return "".join(out)


def _sanitize_links(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        bang, label, target, title = match.groups()
        if not safe_url(target):
            return label
        return f"[{label}]({target}{title or ''})"  # images become links: nothing is fetched

    def definition(match: re.Match[str]) -> str:
        return match.group(0) if safe_url(match.group(2)) else ""

    return _REF_DEF.sub(definition, _LINK_TARGET.sub(link, text))


def md(value: Any) -> str:
    """A Markdown field made safe: raw HTML shown as text, unsafe links dropped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")

    def plain(part: str) -> str:
        part = _escape_html(part).replace("{", "&#123;").replace("}", "&#125;")
        return _sanitize_links(part)

    return _outside_code(text, plain).strip("\n")


def md_inline(value: Any) -> str:
    """A Markdown field on one line (a table cell or list item)."""
    text = md(value)
    text = re.sub(r"\s*\n\s*", " ", text)
    return text.replace("|", "\\|")


def text(value: Any) -> str:
    """Plain text (a name, a term) inside Markdown: every Markdown and HTML character inert."""
    if value is None:
        return ""
    flat = " ".join(str(value).split())
    escaped = _MD_ESCAPE.sub(r"\\\1", _escape_html(flat))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1).isdigit() else "\\" + m.group(1), escaped)


def html_text(value: Any) -> str:
    """Plain text inside raw HTML."""
    return html.escape(" ".join(str(value).split()), quote=True) if value is not None else ""


def title_text(value: Any) -> str:
    """A page or navigation title: Material writes it into the page without escaping."""
    return html.escape(" ".join(str(value).split()), quote=True)


def slugify(value: str, fallback: str = "item") -> str:
    """ASCII slug with accents folded: ``Zoë Núñez`` → ``zoe-nunez``."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or fallback


def unique_slugs(names: Iterable[str], fallback: str = "item") -> dict[str, str]:
    """Deterministic slugs for ``names``: collisions get ``-2``, ``-3`` … in sorted order."""
    taken: set[str] = {"index"}
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        base = slugify(name, fallback)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        out[name] = slug
    return out


def percent(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g} %"


def format_date(value: Any) -> str:
    """``2026-03-02`` → ``2 March 2026``."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def clock_words(name: str, duration: Duration) -> str:
    return f"{name.replace('_', ' ').replace('-', ' ')} within {duration}"


_JOINED = re.compile(r"^(\||- |> |\d+\. |<)")


def tidy(markdown: str) -> str:
    """Drop the blank lines template tags leave: between table rows, list items and quote
    lines (where a blank line would split the block), and more than one in a row."""
    lines = [line.rstrip() for line in markdown.split("\n")]
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            if not out or not out[-1]:
                continue
            following = next((n for n in lines[i + 1 :] if n), "")
            kind = _JOINED.match(out[-1])
            if kind and following.startswith(kind.group(1)[0]) and _JOINED.match(following):
                continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


@dataclass(frozen=True)
class Site:
    """Everything the generator produces for one playbook."""

    pages: dict[str, str]
    nav: list[Any]
    titles: dict[str, str]
    assets: dict[str, str] = field(default_factory=dict)


class Links:
    """Where every thing lives, and links between pages in Markdown and in raw HTML."""

    def __init__(self, playbook: Playbook, directory_urls: bool) -> None:
        self.playbook = playbook
        self.directory_urls = directory_urls
        self.person_slug = unique_slugs(playbook.people_with_pages, "person")
        areas = sorted({a.area or "" for a in playbook.activities})
        self.area_slug = unique_slugs([a or "Other" for a in areas], "area")
        self.split = len(playbook.activities) > SPLIT_MATRIX_AT

    def area_key(self, activity: Activity) -> str:
        return activity.area or "Other"

    def matrix_page(self, activity: Activity) -> str:
        if self.split:
            return f"raci/{self.area_slug[self.area_key(activity)]}.md"
        return "raci/index.md"

    def page_url(self, page: str) -> str:
        """The URL path of a page relative to the site root, as MkDocs makes it."""
        if not self.directory_urls:
            return page[:-3] + ".html"
        if page == "index.md":
            return ""
        if page.endswith("/index.md"):
            return page[: -len("index.md")]
        return page[:-3] + "/"

    def md(self, here: str, target: str, anchor: str = "") -> str:
        """A Markdown link target from page ``here`` to page ``target``."""
        rel = posixpath.relpath(target, posixpath.dirname(here) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def _base(self, here: str) -> str:
        url = self.page_url(here)
        return url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)

    def href(self, here: str, target: str, anchor: str = "") -> str:
        """A raw-HTML link from page ``here`` to page ``target`` (MkDocs won't rewrite it)."""
        dest = self.page_url(target)
        rel = posixpath.relpath(dest or ".", self._base(here) or ".")
        if rel == ".":
            rel = "./"
        elif dest.endswith("/") or not dest:
            rel += "/"
        return rel + (f"#{anchor}" if anchor else "")

    def file_href(self, here: str, path: str) -> str:
        """A raw-HTML link from page ``here`` to a file of the site (a download)."""
        return posixpath.relpath(path, self._base(here) or ".")


def _diagram_block(svg: str, wide: bool = False) -> str:
    """An SVG as one raw HTML block: a block-level wrapper keeps Markdown out of it.

    A wide diagram keeps its size and scrolls sideways instead of shrinking.
    """
    extra = " pb-diagram--wide" if wide else ""
    label = ' tabindex="0" role="region" aria-label="Handoff swimlane"' if wide else ""
    return f'<div class="pb-diagram{extra}"{label}>{svg}</div>'


class Renderer:
    """Renders one playbook; one instance per render call."""

    def __init__(
        self, playbook: Playbook, env: jinja2.Environment, directory_urls: bool = True
    ) -> None:
        self.pb = playbook
        self.env = env
        self.links = Links(playbook, directory_urls)
        self.pages: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    def page(
        self, path: str, template: str, title: str, *, wide: bool = False, **context: Any
    ) -> None:
        """Render one page. A ``wide`` page hides Material's sidebars to give a table room."""
        here = path

        def link(kind: str, ident: str, anchor: str = "") -> str:
            return self.links.md(here, self.target(kind, ident), anchor)

        def href(kind: str, ident: str) -> str:
            target = self.target(kind, ident)
            anchor = ident if kind == "activity" else ""
            return self.links.href(here, target, anchor)

        def file_href(target: str) -> str:
            return self.links.file_href(here, target)

        body = self.env.get_template(template).render(
            pb=self.pb,
            r=self,
            page=path,
            page_title=title,
            link=link,
            href=href,
            file_href=file_href,
            **context,
        )
        hide = "hide: [navigation, toc]\n" if wide else ""
        front = f"---\ntitle: {json.dumps(title_text(title), ensure_ascii=False)}\n{hide}---\n\n"
        self.pages[path] = front + tidy(body) + self.abbreviations(body)
        self.titles[path] = title

    def target(self, kind: str, ident: str) -> str:
        if kind == "activity":
            return self.links.matrix_page(self.pb.activity(ident))
        if kind == "person":
            return f"people/{self.links.person_slug[ident]}.md"
        if kind == "stage":
            return f"lifecycle/{ident}.md"
        if kind == "area":
            return f"raci/{self.links.area_slug[ident]}.md"
        folder = {"role": "roles", "team": "teams", "handoff": "handoffs", "engagement": "engagements"}
        return f"{folder[kind]}/{ident}.md"

    @cached_property
    def _abbr_lines(self) -> list[tuple[str, str]]:
        lines = []
        for entry in self.pb.glossary:
            term = " ".join(entry.term.split())
            if not term or re.search(r"[\]\\\[]", term):
                continue
            meaning = " ".join(entry.definition.split())
            lines.append((term, f"*[{term}]: {meaning}"))
        return lines

    def abbreviations(self, body: str) -> str:
        """Glossary terms as abbreviation definitions, for the terms this page uses."""
        used = [line for term, line in self._abbr_lines if term in body]
        return ("\n" + "\n".join(used) + "\n") if used else ""

    def render(self) -> Site:
        pb = self.pb
        self.page("index.md", "index.md.j2", pb.organisation.name)
        self.page("lifecycle/index.md", "lifecycle.md.j2", "Lifecycle")
        for stage in pb.stages:
            self.page(f"lifecycle/{stage.id}.md", "stage.md.j2", stage.name, stage=stage)
        self.page("handoffs/index.md", "handoffs.md.j2", "Handoffs")
        for handoff in pb.handoffs:
            self.page(f"handoffs/{handoff.id}.md", "handoff.md.j2", self.handoff_title(handoff),
                      handoff=handoff)
        self.render_matrix()
        self.page("teams/index.md", "teams.md.j2", "Teams")
        for team in pb.teams:
            self.page(f"teams/{team.id}.md", "team.md.j2", team.name, team=team)
        self.page("roles/index.md", "roles.md.j2", "Roles")
        for role in pb.roles:
            self.page(f"roles/{role.id}.md", "role.md.j2", role.name, role=role)
        if pb.people_with_pages:
            self.page("people/index.md", "people.md.j2", "People")
            for name in pb.people_with_pages:
                self.page(f"people/{self.links.person_slug[name]}.md", "person.md.j2", name,
                          person=name)
        if pb.engagements:
            self.page("engagements/index.md", "engagements.md.j2", "Engagements")
            for engagement in pb.engagements:
                self.page(f"engagements/{engagement.id}.md", "engagement.md.j2",
                          engagement.name, engagement=engagement)
        if pb.cadences:
            self.page("cadences.md", "cadences.md.j2", "Cadences")
        if pb.glossary:
            self.page("glossary.md", "glossary.md.j2", "Glossary")
        if pb.changelog:
            self.page("changes.md", "changes.md.j2", "Changes")
        assets = {
            CSS_PATH: self.env.get_template("assets/playbook.css").render(),
            JS_PATH: self.env.get_template("assets/playbook.js").render(),
        }
        return Site(self.pages, self.navigation(), self.titles, assets)

    def render_matrix(self) -> None:
        groups = self.area_groups()
        if not self.links.split:
            self.page("raci/index.md", "raci.md.j2", "Who does what (RACI)", groups=groups,
                      wide=True)
            return
        self.page("raci/index.md", "raci-areas.md.j2", "Who does what (RACI)", groups=groups)
        for area, activities in groups:
            self.page(self.target("area", area), "raci.md.j2", f"RACI: {area}",
                      groups=[(area, activities)], wide=True)

    def area_groups(self) -> list[tuple[str, list[Activity]]]:
        groups: dict[str, list[Activity]] = defaultdict(list)
        for activity in self.pb.activities:
            groups[self.links.area_key(activity)].append(activity)
        return list(groups.items())

    def navigation(self) -> list[Any]:
        def section(title: str, index: str, children: list[str]) -> dict[str, Any]:
            entries: list[Any] = [index]
            if len(children) <= NAV_CHILDREN_MAX:
                entries += [{title_text(self.titles[c]): c} for c in children]
            return {title: entries}

        pages = self.pages
        nav: list[Any] = [{"Overview": "index.md"}]

        def under(prefix: str) -> list[str]:
            return [p for p in pages if p.startswith(prefix) and not p.endswith("/index.md")]

        nav.append(section("Lifecycle", "lifecycle/index.md", under("lifecycle/")))
        nav.append(section("Handoffs", "handoffs/index.md", under("handoffs/")))
        nav.append(section("RACI", "raci/index.md", under("raci/")))
        nav.append(section("Teams", "teams/index.md", under("teams/")))
        nav.append(section("Roles", "roles/index.md", under("roles/")))
        if "people/index.md" in pages:
            nav.append(section("People", "people/index.md", under("people/")))
        if "engagements/index.md" in pages:
            nav.append(section("Engagements", "engagements/index.md", under("engagements/")))
        for path, title in (("cadences.md", "Cadences"), ("glossary.md", "Glossary"),
                            ("changes.md", "Changes")):
            if path in pages:
                nav.append({title: path})
        return nav

    def handoff_title(self, handoff: Handoff) -> str:
        return f"{self.pb.role(handoff.from_).name} → {self.pb.role(handoff.to).name}"

    def lifecycle_svg(self, here: str) -> str:
        svg = diagrams.lifecycle_svg(
            self.pb, link=lambda sid: self.links.href(here, f"lifecycle/{sid}.md")
        )
        return _diagram_block(svg)

    def swimlane_svg(self, here: str) -> str:
        svg = diagrams.swimlane_svg(
            self.pb, link=lambda hid: self.links.href(here, f"handoffs/{hid}.md")
        )
        return _diagram_block(svg, wide=True)

    def sla_words(self, handoff: Handoff) -> str:
        """``accept within 4 business hours; first contact within 1 business day (Mon–Fri …)``."""
        if not handoff.sla:
            return ""
        clocks = "; ".join(clock_words(n, d) for n, d in handoff.sla.items())
        if any(d.business for d in handoff.sla.values()):
            clocks += f" ({self.pb.sla_hours(handoff).describe()})"
        return clocks

    def hours(self, team_id: str | None = None) -> BusinessHours:
        return self.pb.hours_for(self.pb.team(team_id) if team_id else None)

    def duration_words(self, duration: Duration, team_id: str | None = None) -> str:
        if duration.business:
            return f"{duration} ({self.hours(team_id).describe()})"
        return str(duration)

    def letter_order(self) -> list[str]:
        """The model's letters with the accountable one first (what you own comes first)."""
        first = self.pb.accountable_letter
        return [first] + [k for k in self.pb.model.letters if k != first]

    def letter_name(self, letter: str) -> str:
        spec = self.pb.model.letters.get(letter)
        return spec.name if spec else letter

    def letter_heading(self, letter: str) -> str:
        name = self.letter_name(letter)
        lead = LETTER_HEADINGS.get(name)
        return f"{lead} — {name} ({letter})" if lead else f"{name} ({letter})"

    def roles_with_letters(self, activities: Iterable[Activity]) -> list[Role]:
        """Roles that hold a letter on any of ``activities``, in team then role order."""
        used = {rid for a in activities for ids in a.raci.values() for rid in ids}
        teams = {t.id: i for i, t in enumerate(self.pb.teams)}
        order = {r.id: i for i, r in enumerate(self.pb.roles)}
        chosen = [r for r in self.pb.roles if r.id in used]
        return sorted(chosen, key=lambda r: (teams.get(r.team, 0), order[r.id]))

    def letters_of(self, activity: Activity, role: Role) -> list[str]:
        order = list(self.pb.model.letters)
        found = activity.letters_of(role.id)
        return sorted(found, key=lambda k: order.index(k) if k in order else 99)

    def letter_count(self, role_id: str) -> int:
        """Activities on which the role holds any letter."""
        return sum(1 for a in self.pb.activities if a.letters_of(role_id))

    def activities_for(self, role_id: str, letter: str) -> list[Activity]:
        return [a for a in self.pb.activities if role_id in a.raci.get(letter, ())]

    def others(self, activity: Activity, role_id: str) -> list[tuple[str, list[Role]]]:
        """The other roles on an activity, grouped by letter."""
        out = []
        for letter in self.pb.model.letters:
            roles = [self.pb.role(r) for r in activity.raci.get(letter, ()) if r != role_id]
            if roles:
                out.append((letter, roles))
        return out

    def handoffs_of(self, role_id: str) -> tuple[list[Handoff], list[Handoff]]:
        received = [h for h in self.pb.handoffs if h.to == role_id]
        sent = [h for h in self.pb.handoffs if h.from_ == role_id]
        return received, sent

    def stage_handoffs(self, stage: Stage) -> list[Handoff]:
        return [h for h in self.pb.handoffs if h.stage == stage.id]

    def rejected_into(self, stage: Stage) -> list[Handoff]:
        return [h for h in self.pb.handoffs if h.on_reject and h.on_reject.to == stage.id]

    def incoming(self, stage: Stage) -> list[Stage]:
        return [s for s in self.pb.stages if stage.id in self.pb.next_stages(s)]

    def cadences_of(self, role_id: str) -> list[tuple[Any, str]]:
        out = []
        for cadence in self.pb.cadences:
            if cadence.chair == role_id:
                out.append((cadence, "chair"))
            elif role_id in cadence.attendees:
                out.append((cadence, "attend"))
        return out

    def engagements_of(self, role_id: str) -> list[tuple[Engagement, list[str]]]:
        out = []
        for e in self.pb.engagements:
            parts = []
            if e.client_contact == role_id:
                parts.append("client contact")
            if e.party_contact == role_id:
                parts.append(f"{self.pb.team(e.party).name} contact")
            if e.approvals and e.approvals.approver == role_id:
                parts.append("approver")
            if role_id in e.sign_off:
                parts.append("signatory")
            if parts:
                out.append((e, parts))
        return out

    def stages_owned(self, role_id: str) -> list[Stage]:
        return [s for s in self.pb.stages if s.owner == role_id]

    def party_split(
        self, engagement: Engagement, activity: Activity
    ) -> tuple[list[tuple[str, list[Role]]], list[tuple[str, list[Role]]]]:
        """The external party's and the client's roles on an activity, grouped by letter."""
        party: dict[str, list[Role]] = {}
        client: dict[str, list[Role]] = {}
        for letter, role in self.pb.assignments(activity):
            side = party if role.team == engagement.party else client
            side.setdefault(letter, []).append(role)
        return list(party.items()), list(client.items())

    def boundary_handoffs(self, engagement: Engagement) -> list[Handoff]:
        out = []
        for h in self.pb.handoffs:
            teams = {self.pb.role(h.from_).team, self.pb.role(h.to).team}
            if engagement.party in teams and len(teams) == 2:
                out.append(h)
        return out

    def person_roles(self, name: str) -> list[Role]:
        return [self.pb.role(r) for r in self.pb.people_index.get(name, ())]

    def person_link(self, name: str) -> str | None:
        return name if name in self.links.person_slug else None

    def notes_index(self, activities: Iterable[Activity]) -> dict[tuple[str, str], int]:
        """Footnote numbers for per-role notes, in the order they appear."""
        numbers: dict[tuple[str, str], int] = {}
        for activity in activities:
            for role in self.roles_with_letters([activity]):
                if role.id in activity.notes:
                    numbers[(activity.id, role.id)] = len(numbers) + 1
        return numbers

    def flatten(self, groups: list[tuple[str, list[Activity]]]) -> list[Activity]:
        return [a for _, activities in groups for a in activities]

    def teams_of(self, roles: Iterable[Role]) -> list[Any]:
        ids = []
        for role in roles:
            if role.team not in ids:
                ids.append(role.team)
        return [self.pb.team(t) for t in ids]


STANDALONE_CSS = """
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; }
th, td { border: 1px solid #bbb; padding: .35em .5em; text-align: left; vertical-align: top; }
tr, li { break-inside: avoid; }
.pb-signoff td { height: 2.8em; }
.pb-print-actions, .headerlink { display: none; }
abbr { text-decoration: none; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } }
"""


def standalone_page(title: str, body_html: str) -> str:
    """A self-contained HTML document of one page's content, for e-mailing or printing.

    Links are turned into their text (their targets are pages of the site) and the page's
    own buttons are removed.
    """
    body = re.sub(r'<div class="pb-print-actions">.*?</div>', "", body_html, flags=re.DOTALL)
    body = re.sub(r"<a\b[^>]*>", "", body).replace("</a>", "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STANDALONE_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def make_environment(override: Path | str | None = None) -> jinja2.Environment:
    """The Jinja environment: a user's folder first (any template by name), then ours."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        lstrip_blocks=True,
        trim_blocks=False,
    )
    env.filters.update(
        text=text,
        cell=lambda v: text(v),
        md=md,
        md_inline=md_inline,
        html=html_text,
        title=title_text,
        percent=percent,
        date=format_date,
        slug=slugify,
    )
    env.globals.update(clock_words=clock_words)
    return env


def render(
    playbook: Playbook,
    env: jinja2.Environment | None = None,
    *,
    directory_urls: bool = True,
) -> Site:
    """The pages, navigation and assets of ``playbook``. Pure and deterministic."""
    return Renderer(playbook, env or make_environment(), directory_urls).render()
