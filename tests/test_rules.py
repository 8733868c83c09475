"""Every rule of the contract: the YAML, then the exact diagnostic line it must produce.

Each case starts from a small valid playbook (``BASE``), replaces or adds whole files, and runs
``playbook check`` in-process from the folder that holds ``playbook/``, so the expected lines
read exactly as a user sees them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import tracemalloc
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import EXAMPLE, write_tree
from pydantic import BaseModel

from generator.cli import cli
from generator.errors import format_path
from generator.model import (
    SECTIONS,
    Cadence,
    Id,
    IdOrIds,
    Playbook,
    RoleId,
    Section,
    StageId,
    declared_references,
)
from generator.rules import RULES
from generator.validate import check


def y(text: str) -> str:
    """A YAML file written indented inside a test, as it is on disk."""
    return textwrap.dedent(text).lstrip("\n")


BASE: dict[str, str] = {
    "organisation.yaml": y(
        """
        organisation:
          name: Acme
          version: "1.0"
          maintainer: marketing-lead
          business_hours:
            days: [mon, tue, wed, thu, fri]
            start: "09:00"
            end: "17:00"
            timezone: Europe/London
        """
    ),
    "teams.yaml": y(
        """
        teams:
          - id: marketing
            name: Marketing
          - id: agency
            name: Agency
            kind: external
        """
    ),
    "roles.yaml": y(
        """
        roles:
          - id: marketing-lead
            name: Marketing Lead
            team: marketing
          - id: sales-lead
            name: Sales Lead
            team: marketing
          - id: copywriter
            name: Copywriter
            team: marketing
          - id: agency-designer
            name: Agency Designer
            team: agency
        """
    ),
    "stages.yaml": y(
        """
        stages:
          - id: lead
            name: Lead
            owner: marketing-lead
          - id: qualified
            name: Qualified
            owner: sales-lead
            next: [won, lead]
          - id: won
            name: Won
            terminal: true
        """
    ),
    "handoffs.yaml": y(
        """
        handoffs:
          - id: lead-to-sales
            from: marketing-lead
            to: sales-lead
            stage: lead
            sla:
              accept: 4 business hours
            on_reject:
              to: lead
        """
    ),
    "activities.yaml": y(
        """
        activities:
          - id: brochure
            name: Brochure
            stage: lead
            raci:
              R: [agency-designer, copywriter]
              A: marketing-lead
              C: [sales-lead]
          - id: closing
            name: Closing
            stage: qualified
            raci:
              R: sales-lead
              A: sales-lead
              I: [marketing-lead]
        """
    ),
    "engagements.yaml": y(
        """
        engagements:
          - id: agency-2026
            name: Agency retainer
            party: agency
            client_contact: marketing-lead
            party_contact: agency-designer
            in_scope: [brochure]
            out_of_scope: [closing]
            approvals:
              approver: marketing-lead
              review_window: 5 business days
        """
    ),
}

Files = dict[str, "str | bytes | None"]
Check = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Check:
    """``playbook check playbook ARGS`` on BASE updated with ``files`` (None deletes a file)."""
    monkeypatch.chdir(tmp_path)

    def invoke(files: Files, *args: str, base: bool = True) -> Result:
        tree = {**BASE, **files} if base else dict(files)
        (tmp_path / "playbook").mkdir(exist_ok=True)
        write_tree(tmp_path / "playbook", {k: v for k, v in tree.items() if v is not None})
        return CliRunner().invoke(cli, ["check", "playbook", *args], catch_exceptions=False)

    return invoke


def lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return result.output.splitlines()


def same_lines(got: list[str], wanted: list[str]) -> bool:
    """``got`` is ``wanted``, where a wanted line ending in "…" leaves the rest of the line to
    the YAML parser's own wording, which is not ours to assert."""
    return len(got) == len(wanted) and all(
        g.startswith(w[:-1]) and len(g) > len(w) - 1 if w.endswith("…") else g == w
        for g, w in zip(got, wanted, strict=True)
    )


def count(errors: int, warnings: int) -> str:
    total = errors + warnings
    s = "" if total == 1 else "s"
    return (
        f"{total} problem{s} ({errors} error{'' if errors == 1 else 's'}, "
        f"{warnings} warning{'' if warnings == 1 else 's'})"
    )


def case(name: str, files: Files, *expected: str, warnings: tuple[str, ...] = ()) -> Any:
    """A bad input and the lines it gives: ``expected`` errors plus any ``warnings`` (merged
    in file, line, column order, as the CLI sorts them)."""

    def place(line: str) -> tuple[str, int, int]:
        file, row, column = line.split(":")[:3]
        return file, int(row), int(column)

    return pytest.param(files, sorted([*expected, *warnings], key=place), id=name)


NO_HOURS = (
    "playbook/engagements.yaml:11:22: warning: engagements[0].approvals.review_window: "
    "'5 business days': no business hours are set, so Mon–Fri 09:00–17:00 is assumed "
    "(set organisation.business_hours) [default-hours]",
    "playbook/handoffs.yaml:7:15: warning: handoffs[0].sla.accept: '4 business hours': no "
    "business hours are set, so Mon–Fri 09:00–17:00 is assumed (set organisation.business_hours) "
    "[default-hours]",
)
"""The warnings a case gets when it replaces the organisation with one without business hours
(warnings are reported beside errors)."""


ERRORS = [
    # Reading the files.
    case(
        "yaml-syntax-error-has-an-empty-path-and-hides-nothing-else",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: [Marketing
                  - id: agency
                """
            )
        },
        "playbook/teams.yaml:4:7: error: YAML syntax: …",
    ),
    case(
        "yaml-unclosed-quote-names-where-the-quote-opened",
        {"glossary.yaml": 'glossary:\n  - term: "Warm lead\n    definition: Engaged.\n'},
        "playbook/glossary.yaml:4:1: error: YAML syntax: …",
    ),
    case(
        "yaml-tab-indentation",
        {"glossary.yaml": "glossary:\n  - term: Warm lead\n\tdefinition: Engaged.\n"},
        "playbook/glossary.yaml:3:1: error: YAML syntax: …",
    ),
    case(
        "duplicate-key-is-reported-at-the-second",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                    name: Brand
                  - id: agency
                    name: Agency
                    kind: external
                """
            )
        },
        "playbook/teams.yaml:4:5: error: teams[0].name: duplicate key 'name' "
        "(first defined at line 3, column 5)",
    ),
    case(
        "python-object-tag-is-refused-without-running-it",
        {
            "glossary.yaml": y(
                """
                glossary:
                  - term: Lead
                    definition: !!python/object/apply:os.system ["echo pwned"]
                """
            )
        },
        "playbook/glossary.yaml:3:17: error: glossary[0].definition: YAML tag "
        "'!!python/object/apply:os.system' is not allowed (only the standard tags: !!str, "
        "!!int, !!float, !!bool, !!null, !!timestamp, !!seq, !!map)",
    ),
    case(
        "local-tag-is-refused",
        {"glossary.yaml": "glossary:\n  - term: Lead\n    definition: !include lead.md\n"},
        "playbook/glossary.yaml:3:17: error: glossary[0].definition: YAML tag '!include' is not "
        "allowed (only the standard tags: !!str, !!int, !!float, !!bool, !!null, !!timestamp, "
        "!!seq, !!map)",
    ),
    case(
        "recursive-alias",
        {"glossary.yaml": "glossary:\n  - &lead\n    term: Lead\n    definition: [*lead]\n"},
        "playbook/glossary.yaml:2:5: error: glossary[0].definition[0]: an alias refers to a "
        "value that contains it (recursive alias)",
        "playbook/glossary.yaml:4:17: error: glossary[0].definition: expected text, found a list",
    ),
    case(
        "two-documents-in-one-file",
        {"glossary.yaml": "glossary: []\n---\ncadences: []\n"},
        "playbook/glossary.yaml:3:1: error: a file holds one YAML document, found 2; "
        "split them into separate files",
    ),
    case(
        "file-that-is-a-list",
        {"glossary.yaml": "- term: Lead\n  definition: Engaged.\n"},
        "playbook/glossary.yaml:1:1: error: a playbook file must be a mapping of sections "
        "(organisation, models, teams, roles, …), found a list",
    ),
    case(
        "file-that-is-not-utf8",
        {"glossary.yaml": b"glossary:\n  - term: Caf\xe9\n    definition: x\n"},
        "playbook/glossary.yaml:2:14: error: file is not UTF-8 text (byte 0xe9 cannot be "
        "decoded); save it as UTF-8",
    ),
    case(
        "unknown-section-suggests-the-closest",
        {"glossary.yaml": "glosary:\n  - term: Lead\n    definition: Engaged.\n"},
        "playbook/glossary.yaml:1:1: error: glosary: unknown section 'glosary' "
        "(did you mean 'glossary'?)",
    ),
    case(
        "unknown-section-with-nothing-close-lists-the-sections",
        {"glossary.yaml": "faq:\n  - question: Why?\n"},
        "playbook/glossary.yaml:1:1: error: faq: unknown section 'faq'; the sections are "
        "organisation, models, teams, roles, people, stages, handoffs, activities, engagements, "
        "cadences, glossary, changelog",
    ),
    case(
        "organisation-twice-is-reported-at-both-places",
        {"other.yaml": "organisation:\n  name: Acme again\n"},
        "playbook/organisation.yaml:1:1: error: organisation: section 'organisation' appears "
        "twice (also at playbook/other.yaml:1:1); it must appear once",
        "playbook/other.yaml:1:1: error: organisation: section 'organisation' appears twice "
        "(also at playbook/organisation.yaml:1:1); it must appear once",
    ),
    case(
        "list-section-given-as-a-mapping-in-a-second-file",
        {"more-teams.yaml": "teams:\n  id: sales\n  name: Sales\n"},
        "playbook/more-teams.yaml:2:3: error: teams: expected a list of entries, found a mapping",
    ),
    case(
        "entry-that-is-not-a-mapping",
        {"glossary.yaml": "glossary:\n  - Warm lead\n"},
        "playbook/glossary.yaml:2:5: error: glossary[0]: expected a mapping, found text 'Warm lead'",
    ),
    # Keys, required fields and types.
    case(
        "unknown-key-is-reported-at-the-key-with-the-closest-known-key",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                    purpse: Reach and credibility.
                  - id: agency
                    name: Agency
                    kind: external
                """
            )
        },
        "playbook/teams.yaml:4:5: error: teams[0].purpse: unknown key 'purpse' "
        "(did you mean 'purpose'?)",
    ),
    case(
        "unknown-key-nested-in-business-hours",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                  business_hours:
                    timzone: Europe/London
                """
            )
        },
        "playbook/organisation.yaml:5:5: error: organisation.business_hours.timzone: "
        "unknown key 'timzone' (did you mean 'timezone'?)",
    ),
    case(
        "misspelt-required-key-is-one-problem-not-two",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                  - id: agency
                    nme: Agency
                    kind: external
                """
            )
        },
        "playbook/teams.yaml:5:5: error: teams[1].nme: unknown key 'nme' (did you mean 'name'?)",
    ),
    case(
        "missing-required-field-in-a-list-is-reported-at-the-entry",
        {"glossary.yaml": "glossary:\n  - term: Warm lead\n"},
        "playbook/glossary.yaml:2:5: error: glossary[0]: missing required field 'definition'",
    ),
    case(
        "missing-required-field-under-a-key-is-reported-at-the-key",
        {
            "organisation.yaml": y(
                """
                organisation:
                  version: "1.0"
                  maintainer: marketing-lead
                """
            )
        },
        "playbook/organisation.yaml:1:1: error: organisation: missing required field 'name'",
    ),
    case(
        "empty-value-is-reported-at-its-key",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    stage: lead
                    raci:
                      R: [agency-designer, copywriter]
                      A:
                      C: [sales-lead]
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:7:7: error: activities[0].raci.A: expected an id, "
        "found nothing (null)",
    ),
    case(
        "value-taken-through-a-merge-key-is-reported-where-it-is-written",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                  - &agency
                    id: agency
                    name: Agency
                    kind: external
                    business_hours: {timezone: Europe/Lisbn}
                  - <<: *agency
                    id: printer
                    name: Printer
                """
            )
        },
        "playbook/teams.yaml:8:21: error: teams[2].business_hours.timezone: unknown time zone "
        "'Europe/Lisbn' (e.g. Europe/London, America/New_York, UTC, or local)",
        "playbook/teams.yaml:8:32: error: teams[1].business_hours.timezone: unknown time zone "
        "'Europe/Lisbn' (e.g. Europe/London, America/New_York, UTC, or local)",
    ),
    case(
        "list-expected",
        {"glossary.yaml": "glossary:\n  term: Lead\n  definition: Engaged.\n"},
        "playbook/glossary.yaml:2:3: error: glossary: expected a list of entries, found a mapping",
    ),
    case(
        "kind-not-among-the-choices-suggests-the-closest",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                  - id: agency
                    name: Agency
                    kind: externl
                """
            )
        },
        "playbook/teams.yaml:6:11: error: teams[1].kind: expected one of internal, external; "
        "found text 'externl' (did you mean 'external'?)",
    ),
    case(
        "bad-id-suggests-a-slug",
        {"cadences.yaml": "cadences:\n  - id: Weekly Review\n    name: Weekly review\n"},
        "playbook/cadences.yaml:2:9: error: cadences[0].id: bad id 'Weekly Review': use "
        "lowercase letters, digits and '-', starting with a letter or digit "
        "(e.g. 'weekly-review')",
    ),
    case(
        "id-index-is-reserved",
        {"cadences.yaml": "cadences:\n  - id: index\n    name: Index\n"},
        "playbook/cadences.yaml:2:9: error: cadences[0].id: bad id 'index': 'index' is reserved "
        "(it names a section's index page)",
    ),
    case(
        "comma-separated-ids-ask-for-a-list",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    stage: lead
                    raci:
                      R: agency-designer, copywriter
                      A: marketing-lead
                      C: [sales-lead]
                  - id: closing
                    name: Closing
                    stage: qualified
                    raci:
                      R: sales-lead
                      A: sales-lead
                      I: [marketing-lead]
                """
            )
        },
        "playbook/activities.yaml:6:10: error: activities[0].raci.R: bad id "
        "'agency-designer, copywriter': for several ids write a list: "
        "[agency-designer, copywriter]",
    ),
    case(
        "date-that-does-not-exist",
        {
            "changelog.yaml": "changelog:\n  - version: '1.0'\n    date: 2026-02-30\n    summary: x\n"
        },
        "playbook/changelog.yaml:3:11: error: changelog[0].date: bad date '2026-02-30': "
        "there is no such date (expected YYYY-MM-DD)",
    ),
    case(
        "date-written-as-words",
        {
            "changelog.yaml": "changelog:\n  - version: '1.0'\n    date: next monday\n    summary: x\n"
        },
        "playbook/changelog.yaml:3:11: error: changelog[0].date: expected a date (YYYY-MM-DD), "
        "found text 'next monday'",
    ),
    case(
        "bad-date-in-a-list-is-reported-at-the-item",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                  business_hours:
                    holidays: [2026-12-25, 2026-13-01]
                """
            )
        },
        "playbook/organisation.yaml:5:28: error: organisation.business_hours.holidays[1]: "
        "bad date '2026-13-01': there is no such date (expected YYYY-MM-DD)",
    ),
    case(
        "duration-with-an-unknown-unit-lists-the-accepted-units",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    stage: lead
                    sla:
                      accept: 2 fortnights
                """
            )
        },
        "playbook/handoffs.yaml:7:15: error: handoffs[0].sla.accept: bad duration "
        "'2 fortnights': write '<number> <unit>' with unit one of minutes, business minutes, "
        "hours, business hours, days, business days, weeks, months",
    ),
    case(
        "duration-without-a-unit",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    sla:
                      accept: 4
                """
            )
        },
        "playbook/handoffs.yaml:6:15: error: handoffs[0].sla.accept: expected a duration like "
        "'4 business hours', found a number (4); write '<number> <unit>' with unit one of "
        "minutes, business minutes, hours, business hours, days, business days, weeks, months",
    ),
    case(
        "duration-of-zero",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: agency
                    in_scope: [brochure]
                    approvals:
                      approver: marketing-lead
                      review_window: 0 days
                """
            )
        },
        "playbook/engagements.yaml:8:22: error: engagements[0].approvals.review_window: "
        "bad duration '0 days': the number must be positive",
    ),
    case(
        "text-field-rejects-a-number-that-yaml-would-change",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  version: 3.10
                  maintainer: marketing-lead
                """
            )
        },
        "playbook/organisation.yaml:3:12: error: organisation.version: expected text, "
        "found a number (3.1); quote it to keep it exact",
    ),
    case(
        "text-list-rejects-an-unquoted-no",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                    reasons: [Bad timing, No]
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [won, lead]
                  - id: won
                    name: Won
                    terminal: true
                """
            )
        },
        "playbook/stages.yaml:5:27: error: stages[0].reasons[1]: expected text, "
        "found true/false (false); quote it to keep it as text",
    ),
    case(
        "unquoted-time-is-read-as-minutes-and-the-fix-is-shown",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                  business_hours:
                    start: "09:00"
                    end: 17:00
                """
            )
        },
        "playbook/organisation.yaml:6:10: error: organisation.business_hours.end: expected a "
        'time "HH:MM", found a number (1020); write it in quotes: "17:00"',
    ),
    case(
        "time-in-another-form",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                  business_hours:
                    start: 9am
                """
            )
        },
        "playbook/organisation.yaml:5:12: error: organisation.business_hours.start: expected a "
        "time \"HH:MM\", found text '9am'",
    ),
    case(
        "weekday-misspelt",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                  business_hours:
                    days: [mon, tue, wed, thu, fry]
                """
            )
        },
        "playbook/organisation.yaml:5:32: error: organisation.business_hours.days[4]: expected a "
        "weekday (mon, tue, wed, thu, fri, sat, sun), found text 'fry' (did you mean 'fri'?)",
    ),
    case(
        "unknown-time-zone",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                  - id: agency
                    name: Agency
                    kind: external
                    business_hours: {timezone: Europe/Lisbn}
                """
            )
        },
        "playbook/teams.yaml:7:32: error: teams[1].business_hours.timezone: unknown time zone "
        "'Europe/Lisbn' (e.g. Europe/London, America/New_York, UTC, or local)",
    ),
    case(
        "probability-above-100",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                    probability: 150
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [won, lead]
                  - id: won
                    name: Won
                    terminal: true
                """
            )
        },
        "playbook/stages.yaml:5:18: error: stages[0].probability: expected a percentage from 0 "
        "to 100, found 150",
    ),
    case(
        "touchpoints-in-words",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                    touchpoints: five
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [won, lead]
                  - id: won
                    name: Won
                    terminal: true
                """
            )
        },
        "playbook/stages.yaml:5:18: error: stages[0].touchpoints: expected a count or a range "
        "like \"3-5\", found text 'five'",
    ),
    case(
        "nesting-past-the-limit",
        {"glossary.yaml": "glossary: " + "[" * 60 + "]" * 60 + "\n"},
        "playbook/glossary.yaml:1:60: error: nested deeper than 50 levels",
    ),
    # Ids and references.
    case(
        "duplicate-id-across-two-files-is-reported-at-both",
        {
            "more-roles.yaml": "roles:\n  - id: copywriter\n    name: Copywriter\n    team: marketing\n"
        },
        "playbook/more-roles.yaml:2:9: error: roles[0].id: role id 'copywriter' is defined again "
        "at playbook/roles.yaml:8:9",
        "playbook/roles.yaml:8:9: error: roles[3].id: duplicate role id 'copywriter' "
        "(first defined at playbook/more-roles.yaml:2:9)",
    ),
    case(
        "index-in-a-split-section-counts-in-the-concatenated-list",
        {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: marketng\n"},
        "playbook/roles2.yaml:4:11: error: roles[4].team: unknown team 'marketng' "
        "(did you mean 'marketing'?)",
        warnings=(
            "playbook/roles2.yaml:2:5: warning: roles[4]: role 'intern' has no responsibilities "
            "(no letter, stage, handoff, cadence or engagement mentions it) [unused-role]",
        ),
    ),
    case(
        "duplicate-goal-id-within-a-team",
        {
            "teams.yaml": y(
                """
                teams:
                  - id: marketing
                    name: Marketing
                    goals:
                      - {id: leads, statement: More leads}
                      - {id: leads, statement: Better leads}
                  - id: agency
                    name: Agency
                    kind: external
                """
            )
        },
        "playbook/teams.yaml:6:14: error: teams[0].goals[1].id: duplicate goal id 'leads' in team "
        "'marketing' (first defined at playbook/teams.yaml:5:14)",
    ),
    case(
        "unknown-team-suggests-the-closest-id",
        {
            "roles.yaml": y(
                """
                roles:
                  - id: marketing-lead
                    name: Marketing Lead
                    team: marketng
                  - id: sales-lead
                    name: Sales Lead
                    team: marketing
                  - id: copywriter
                    name: Copywriter
                    team: marketing
                  - id: agency-designer
                    name: Agency Designer
                    team: agency
                """
            )
        },
        "playbook/roles.yaml:4:11: error: roles[0].team: unknown team 'marketng' "
        "(did you mean 'marketing'?)",
    ),
    case(
        "unknown-role-as-a-single-letter-value",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    stage: lead
                    raci:
                      R: [agency-designer, copywriter]
                      A: qa-lead
                      C: [sales-lead]
                  - id: closing
                    name: Closing
                    stage: qualified
                    raci:
                      R: sales-lead
                      A: sales-lead
                      I: [marketing-lead, marketing-lead]
                """
            )
        },
        "playbook/activities.yaml:7:10: error: activities[0].raci.A: unknown role 'qa-lead' "
        "(did you mean 'sales-lead'?)",
        "playbook/activities.yaml:15:27: error: activities[1].raci.I[1]: role 'marketing-lead' "
        "is listed twice",
    ),
    case(
        "unknown-role-in-a-letter-list-is-reported-at-the-item",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    stage: lead
                    raci:
                      R: [agency-designer, copywritter]
                      A: marketing-lead
                      C: [sales-lead]
                  - id: closing
                    name: Closing
                    stage: qualified
                    raci:
                      R: sales-lead
                      A: sales-lead
                      I: [marketing-lead]
                """
            )
        },
        "playbook/activities.yaml:6:28: error: activities[0].raci.R[1]: unknown role "
        "'copywritter' (did you mean 'copywriter'?)",
    ),
    case(
        "unknown-stage-in-next-and-in-a-rejection",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [wn, lead]
                  - id: won
                    name: Won
                    terminal: true
                """
            ),
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    on_reject:
                      to: leed
                """
            ),
        },
        "playbook/handoffs.yaml:6:11: error: handoffs[0].on_reject.to: unknown stage 'leed' "
        "(did you mean 'lead'?)",
        "playbook/stages.yaml:8:12: error: stages[1].next[0]: unknown stage 'wn' "
        "(did you mean 'won'?)",
    ),
    case(
        "unknown-activity-in-scope",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: agency
                    in_scope: [brochures]
                """
            )
        },
        "playbook/engagements.yaml:5:16: error: engagements[0].in_scope[0]: unknown activity "
        "'brochures' (did you mean 'brochure'?)",
    ),
    case(
        "unknown-maintainer",
        {"organisation.yaml": "organisation:\n  name: Acme\n  maintainer: marketing-led\n"},
        "playbook/organisation.yaml:3:15: error: organisation.maintainer: unknown role "
        "'marketing-led' (did you mean 'marketing-lead'?)",
        warnings=NO_HOURS,
    ),
    case(
        "a-bad-id-is-reported-once-and-never-suggested",
        {
            "teams2.yaml": "teams:\n  - id: Sales_Team\n    name: Sales\n",
            "roles2.yaml": "roles:\n  - id: seller\n    name: Seller\n    team: sales-team\n",
        },
        "playbook/roles2.yaml:4:11: error: roles[4].team: unknown team 'sales-team'; the teams "
        "are marketing, agency",
        "playbook/teams2.yaml:2:9: error: teams[2].id: bad id 'Sales_Team': use lowercase "
        "letters, digits and '-', starting with a letter or digit (e.g. 'sales-team')",
    ),
    case(
        "note-for-an-unknown-role-is-reported-at-its-key",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: [agency-designer, copywriter]
                      A: marketing-lead
                      C: [sales-lead]
                    notes:
                      copywriter: first draft
                      nobody: layout
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:10:7: error: activities[0].notes.nobody: unknown role 'nobody'; "
        "the roles are marketing-lead, sales-lead, copywriter, agency-designer",
    ),
    case(
        "note-for-a-role-without-a-letter",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: [agency-designer, copywriter]
                      A: marketing-lead
                    notes:
                      sales-lead: checks prices
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:8:7: error: activities[0].notes.sales-lead: note for role "
        "'sales-lead', which has no letter on activity 'brochure'",
    ),
    # Letters of the model in force.
    case(
        "two-accountables-is-an-error-at-the-second",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: [agency-designer, copywriter]
                      A: [marketing-lead, sales-lead]
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:6:27: error: activities[0].raci.A[1]: activity 'brochure' "
        "needs exactly one Accountable (A) under RACI, found 2: marketing-lead, sales-lead",
    ),
    case(
        "no-accountable-is-an-error-at-the-assignments",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: [agency-designer, copywriter]
                      C: [sales-lead]
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: marketing-lead}
                """
            )
        },
        "playbook/activities.yaml:4:5: error: activities[0].raci: activity 'brochure' needs "
        "exactly one Accountable (A) under RACI, found none",
    ),
    case(
        "no-responsible-under-raci",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {R: [agency-designer, copywriter], A: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {A: sales-lead, I: marketing-lead}
                """
            )
        },
        "playbook/activities.yaml:7:5: error: activities[1].raci: activity 'closing' needs at "
        "least one Responsible (R) under RACI, found none",
    ),
    case(
        "support-letter-is-not-in-raci",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {R: [agency-designer, copywriter], A: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead, S: marketing-lead}
                """
            )
        },
        "playbook/activities.yaml:7:42: error: activities[1].raci.S: letter 'S' is not in the "
        "RACI model (letters: R, A, C, I)",
    ),
    case(
        "lowercase-letter-suggests-the-capital",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {R: [agency-designer, copywriter], A: marketing-lead, c: sales-lead}
                  - id: closing
                    name: Closing
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:4:65: error: activities[0].raci.c: letter 'c' is not in the "
        "RACI model (letters: R, A, C, I) (did you mean 'C'?)",
    ),
    case(
        "rasci-still-needs-a-responsible",
        {
            "organisation.yaml": "organisation:\n  name: Acme\n  model: RASCI\n"
            "  maintainer: marketing-lead\n",
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {R: [agency-designer, copywriter], A: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {S: sales-lead, A: sales-lead}
                """
            ),
        },
        "playbook/activities.yaml:7:5: error: activities[1].raci: activity 'closing' needs at "
        "least one Responsible (R) under RASCI, found none",
        warnings=NO_HOURS,
    ),
    case(
        "daci-needs-exactly-one-driver-and-one-approver",
        {
            "organisation.yaml": "organisation:\n  name: Acme\n  model: DACI\n"
            "  maintainer: marketing-lead\n",
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {D: [copywriter, agency-designer], A: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {D: sales-lead, C: marketing-lead}
                """
            ),
        },
        "playbook/activities.yaml:4:28: error: activities[0].raci.D[1]: activity 'brochure' "
        "needs exactly one Driver (D) under DACI, found 2: copywriter, agency-designer",
        "playbook/activities.yaml:7:5: error: activities[1].raci: activity 'closing' needs "
        "exactly one Approver (A) under DACI, found none",
        warnings=NO_HOURS,
    ),
    case(
        "custom-model-min-and-max",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  model: RAPID
                  maintainer: marketing-lead
                models:
                  RAPID:
                    letters:
                      R: {name: Recommend, max: 1}
                      P: {name: Perform, min: 2}
                      D: {name: Decide, min: 1, max: 1, accountable: true}
                """
            ),
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {R: [copywriter, sales-lead], P: [agency-designer, copywriter], D: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {P: sales-lead, D: sales-lead}
                """
            ),
        },
        "playbook/activities.yaml:4:28: error: activities[0].raci.R[1]: activity 'brochure' "
        "needs at most one Recommend (R) under RAPID, found 2: copywriter, sales-lead",
        "playbook/activities.yaml:7:15: error: activities[1].raci.P: activity 'closing' needs "
        "at least 2 Perform (P) under RAPID, found 1",
        warnings=NO_HOURS,
    ),
    case(
        "custom-model-range-is-stated-as-the-raci-page-states-it",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  model: TRIO
                  maintainer: marketing-lead
                models:
                  TRIO:
                    letters:
                      P: {name: Perform, min: 1, max: 2}
                      D: {name: Decide, min: 1, max: 1, accountable: true}
                """
            ),
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {P: [copywriter, sales-lead, agency-designer], D: marketing-lead}
                  - id: closing
                    name: Closing
                    raci: {P: sales-lead, D: sales-lead}
                """
            ),
        },
        "playbook/activities.yaml:4:40: error: activities[0].raci.P[2]: activity 'brochure' "
        "needs between 1 and 2 Perform (P) under TRIO, found 3: copywriter, sales-lead, "
        "agency-designer",
        warnings=NO_HOURS,
    ),
    case(
        "letter-the-custom-model-does-not-have",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  model: RAPID
                  maintainer: marketing-lead
                models:
                  RAPID:
                    letters:
                      P: {name: Perform}
                      D: {name: Decide, min: 1, max: 1, accountable: true}
                """
            ),
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci: {P: [agency-designer, copywriter], D: marketing-lead, C: sales-lead}
                  - id: closing
                    name: Closing
                    raci: {P: sales-lead, D: sales-lead}
                """
            ),
        },
        "playbook/activities.yaml:4:65: error: activities[0].raci.C: letter 'C' is not in the "
        "RAPID model (letters: P, D)",
        warnings=NO_HOURS,
    ),
    case(
        "custom-model-definition-mistakes",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                models:
                  RACI:
                    letters: {R: {name: Run}}
                  RAPID:
                    letters:
                      p: {name: Perform}
                      D: {name: Decide, min: 2, max: 1}
                  DUO:
                    letters:
                      X: {name: Execute, accountable: true}
                      Y: {name: Yield, accountable: true}
                """
            )
        },
        "playbook/organisation.yaml:5:3: error: models.RACI: model 'RACI' is built in; "
        "choose another name",
        "playbook/organisation.yaml:9:7: error: models.RAPID.letters.p: bad key 'p': a letter is "
        "one capital letter",
        "playbook/organisation.yaml:13:7: error: models.DUO.letters: model 'DUO' marks 2 letters "
        "accountable (X, Y); mark one",
        warnings=NO_HOURS,
    ),
    case(
        "bad-model-name",
        {"models.yaml": "models:\n  my model:\n    letters: {A: {name: Approve, min: 1}}\n"},
        "playbook/models.yaml:2:3: error: models.my model: bad model name 'my model': a model "
        "name is letters, digits, '_' or '-'",
    ),
    case(
        "letter-min-above-max",
        {
            "organisation.yaml": y(
                """
                organisation:
                  name: Acme
                  maintainer: marketing-lead
                models:
                  RAPID:
                    letters:
                      D: {name: Decide, min: 2, max: 1}
                """
            )
        },
        "playbook/organisation.yaml:7:10: error: models.RAPID.letters.D: letter 'D' has min 2 "
        "above max 1",
        warnings=NO_HOURS,
    ),
    case(
        "unknown-model-suggests-the-closest",
        {"organisation.yaml": "organisation:\n  name: Acme\n  model: RACY\n"},
        "playbook/organisation.yaml:3:10: error: organisation.model: unknown responsibility model "
        "'RACY' (did you mean 'RACI'?); use RACI, RASCI, DACI or a key of 'models'",
        warnings=NO_HOURS,
    ),
    # The other rules.
    case(
        "handoff-to-the-same-role",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: marketing-lead
                """
            )
        },
        "playbook/handoffs.yaml:4:9: error: handoffs[0].to: handoff 'lead-to-sales' goes from "
        "role 'marketing-lead' to itself",
    ),
    case(
        "person-with-a-role-that-does-not-exist",
        {"people.yaml": "people:\n  - name: Dana Cole\n    roles: [marketing-lead, sales-leed]\n"},
        "playbook/people.yaml:3:29: error: people[0].roles[1]: unknown role 'sales-leed' "
        "(did you mean 'sales-lead'?)",
    ),
    case(
        "engagement-with-an-internal-party",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: marketing
                """
            )
        },
        "playbook/engagements.yaml:4:12: error: engagements[0].party: engagement party "
        "'marketing' is not an external team (set kind: external on the team)",
    ),
    case(
        "activity-both-in-and-out-of-scope",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: agency
                    in_scope: [brochure]
                    out_of_scope: [closing, brochure]
                """
            )
        },
        "playbook/engagements.yaml:6:29: error: engagements[0].out_of_scope[1]: activity "
        "'brochure' is both in and out of the scope of engagement 'agency-2026'",
    ),
    case(
        "engagement-ending-before-it-starts",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: agency
                    starts: 2026-03-01
                    ends: 2026-02-28
                """
            )
        },
        "playbook/engagements.yaml:6:11: error: engagements[0].ends: engagement 'agency-2026' "
        "ends (2026-02-28) before it starts (2026-03-01)",
    ),
    case(
        "terminal-stage-with-next",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [won, lead]
                  - id: won
                    name: Won
                    terminal: true
                    next: [lead]
                """
            )
        },
        "playbook/stages.yaml:12:11: error: stages[2].next: stage 'won' is terminal and cannot "
        "have 'next'",
    ),
]


@pytest.mark.parametrize(("files", "expected"), ERRORS)
def test_bad_input_gives_exactly_these_lines_and_exit_1(
    run: Check, files: Files, expected: list[str]
) -> None:
    result = run(files)
    warnings = sum(": warning: " in line for line in expected)
    got = lines(result)
    assert same_lines(got, [*expected, count(len(expected) - warnings, warnings)]), got
    assert result.exit_code == 1


def test_there_are_at_least_40_distinct_bad_inputs() -> None:
    assert len({json.dumps(p.values[0], sort_keys=True, default=repr) for p in ERRORS}) >= 40


def _activities(accountable: list[str]) -> str:
    """One activity per entry, each with that role accountable."""
    out = ["activities:"]
    for i, role in enumerate(accountable):
        out += [
            f"  - id: task-{i}",
            f"    name: Task {i}",
            "    raci: {R: copywriter, A: " + role + "}",
        ]
    return "\n".join(out) + "\n"


BOTTLENECK_TEN = ["sales-lead"] * 5 + ["marketing-lead"] * 4 + ["agency-designer"]
NO_ENGAGEMENTS: Files = {"engagements.yaml": None}

WARNINGS = [
    case(
        "role-nothing-mentions",
        {"more-roles.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: marketing\n"},
        "playbook/more-roles.yaml:2:5: warning: roles[0]: role 'intern' has no responsibilities "
        "(no letter, stage, handoff, cadence or engagement mentions it) [unused-role]",
    ),
    case(
        "consulted-and-informed-on-one-activity",
        {
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    stage: lead
                    raci:
                      R: [agency-designer, copywriter]
                      A: marketing-lead
                      C: [sales-lead]
                      I: [sales-lead]
                  - id: closing
                    name: Closing
                    stage: qualified
                    raci: {R: sales-lead, A: sales-lead}
                """
            )
        },
        "playbook/activities.yaml:9:10: warning: activities[0].raci.I: role 'sales-lead' is both "
        "Consulted (C) and Informed (I) on activity 'brochure'; being consulted includes being "
        "informed [consulted-and-informed]",
    ),
    case(
        "stage-no-transition-reaches",
        {"stages2.yaml": "stages:\n  - id: limbo\n    name: Limbo\n    next: [won]\n"},
        "playbook/stages2.yaml:2:5: warning: stages[3]: stage 'limbo' is not reached by any "
        "transition from the first stage 'lead' [unreachable-stage]",
    ),
    case(
        "stage-with-no-way-to-a-terminal-stage",
        {
            "stages.yaml": y(
                """
                stages:
                  - id: lead
                    name: Lead
                    owner: marketing-lead
                  - id: qualified
                    name: Qualified
                    owner: sales-lead
                    next: [won, lead, parked]
                  - id: won
                    name: Won
                    terminal: true
                  - id: parked
                    name: Parked
                    next: []
                """
            )
        },
        "playbook/stages.yaml:12:5: warning: stages[3]: stage 'parked' is a dead end: no "
        "terminal stage can be reached from it [dead-end-stage]",
    ),
    case(
        "in-scope-activity-without-a-letter-for-the-party",
        {
            "engagements.yaml": y(
                """
                engagements:
                  - id: agency-2026
                    name: Agency retainer
                    party: agency
                    client_contact: marketing-lead
                    in_scope: [brochure, closing]
                """
            )
        },
        "playbook/engagements.yaml:6:26: warning: engagements[0].in_scope[1]: activity 'closing' "
        "is in the scope of engagement 'agency-2026' but no role of 'agency' has a letter on it "
        "[scope-without-party]",
    ),
    case(
        "one-role-accountable-for-more-than-40-percent",
        {"activities.yaml": _activities(BOTTLENECK_TEN), **NO_ENGAGEMENTS},
        "playbook/roles.yaml:5:5: warning: roles[1]: role 'sales-lead' is Accountable (A) for 5 "
        "of 10 activities (50 %); more than 40 % makes it a bottleneck [bottleneck]",
    ),
    case(
        "business-units-without-business-hours",
        {"organisation.yaml": "organisation:\n  name: Acme\n  maintainer: marketing-lead\n"},
        "playbook/engagements.yaml:11:22: warning: engagements[0].approvals.review_window: "
        "'5 business days': no business hours are set, so Mon–Fri 09:00–17:00 is assumed "
        "(set organisation.business_hours) [default-hours]",
        "playbook/handoffs.yaml:7:15: warning: handoffs[0].sla.accept: '4 business hours': no "
        "business hours are set, so Mon–Fri 09:00–17:00 is assumed "
        "(set organisation.business_hours) [default-hours]",
    ),
]


@pytest.mark.parametrize(("files", "expected"), WARNINGS)
def test_warnings_pass_without_strict(run: Check, files: Files, expected: list[str]) -> None:
    result = run(files)
    assert lines(result) == [*expected, count(0, len(expected))]
    assert result.exit_code == 0


@pytest.mark.parametrize(("files", "expected"), WARNINGS)
def test_warnings_fail_with_strict(run: Check, files: Files, expected: list[str]) -> None:
    result = run(files, "--strict")
    assert lines(result) == [*expected, count(0, len(expected))]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "accountable",
    [
        pytest.param(
            ["sales-lead"] * 4 + ["marketing-lead"] * 4 + ["agency-designer"] * 2,
            id="40-percent-is-allowed",
        ),
        pytest.param(["sales-lead"] * 8 + ["agency-designer"], id="fewer-than-10-activities"),
    ],
)
def test_no_bottleneck_at_40_percent_or_under_10_activities(
    run: Check, accountable: list[str]
) -> None:
    result = run({"activities.yaml": _activities(accountable), **NO_ENGAGEMENTS}, "--strict")
    assert lines(result) == [f"{len(accountable)} activities, no problems"]
    assert result.exit_code == 0


def test_team_business_hours_cover_the_slas_and_review_windows_of_its_roles(run: Check) -> None:
    """The clock the check reasons about is the one the pages name: the receiving role's team
    for an SLA, the approver's team for a review window (both in Marketing here)."""
    teams = BASE["teams.yaml"].replace(
        "  - id: marketing\n    name: Marketing\n",
        "  - id: marketing\n    name: Marketing\n    business_hours: {timezone: Europe/Paris}\n",
    )
    result = run(
        {"organisation.yaml": "organisation:\n  name: Acme\n", "teams.yaml": teams}, "--strict"
    )
    assert lines(result) == ["2 activities, no problems"]
    assert result.exit_code == 0


def test_the_base_playbook_is_clean_even_with_strict(run: Check) -> None:
    result = run({}, "--strict")
    assert lines(result) == ["2 activities, no problems"]
    assert result.exit_code == 0


def test_rasci_accepts_the_support_letter(run: Check) -> None:
    organisation = BASE["organisation.yaml"].replace("  version", "  model: RASCI\n  version")
    activities = BASE["activities.yaml"].replace("      C: [sales-lead]", "      S: [sales-lead]")
    result = run({"organisation.yaml": organisation, "activities.yaml": activities}, "--strict")
    assert lines(result) == ["2 activities, no problems"]


# Problems that belong to no file.


def test_an_empty_folder_is_reported_at_the_folder(run: Check) -> None:
    result = run({}, base=False)
    assert lines(result) == [
        "playbook:1:1: error: no playbook files (*.yaml, *.yml) in 'playbook'",
        count(1, 0),
    ]
    assert result.exit_code == 1


def test_a_missing_organisation_is_reported_at_the_folder(run: Check) -> None:
    result = run({"organisation.yaml": None})
    assert lines(result) == [
        "playbook:1:1: error: missing required section 'organisation'",
        count(1, 0),
    ]
    assert result.exit_code == 1


def test_a_folder_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "nowhere"], catch_exceptions=False)
    assert lines(result) == [
        "nowhere:1:1: error: playbook folder 'nowhere' does not exist",
        count(1, 0),
    ]
    assert result.exit_code == 1


def test_an_unreadable_organisation_file_hides_no_reference_and_adds_no_noise(run: Check) -> None:
    result = run({"organisation.yaml": "organisation:\n  name: [Acme\n  model: DACI\n"})
    got = lines(result)
    assert same_lines(
        got, ["playbook/organisation.yaml:3:8: error: YAML syntax: …", count(1, 0)]
    ), got


# Several problems, formats, exit codes.

MANY: Files = {
    "teams.yaml": BASE["teams.yaml"].replace("kind: external", "kind: external\n    colour: red"),
    "roles.yaml": BASE["roles.yaml"].replace("team: agency", "team: agncy"),
    "activities.yaml": BASE["activities.yaml"].replace(
        "A: marketing-lead", "A: [marketing-lead, copywriter]"
    ),
    "glossary.yaml": "glossary:\n  - term: Lead\n",
}


def test_several_problems_are_all_reported_in_one_run_sorted_by_file_and_line(
    run: Check,
) -> None:
    result = run(MANY)
    assert lines(result) == [
        (
            "playbook/activities.yaml:7:27: error: activities[0].raci.A[1]: activity 'brochure' "
            "needs exactly one Accountable (A) under RACI, found 2: marketing-lead, copywriter"
        ),
        "playbook/glossary.yaml:2:5: error: glossary[0]: missing required field 'definition'",
        (
            "playbook/roles.yaml:13:11: error: roles[3].team: unknown team 'agncy' "
            "(did you mean 'agency'?)"
        ),
        (
            "playbook/teams.yaml:7:5: error: teams[1].colour: unknown key 'colour'; the keys here "
            "are id, name, kind, business_hours, purpose, horizon, goals, allow"
        ),
        count(4, 0),
    ]
    assert result.exit_code == 1


def test_json_format_is_a_list_of_problems(run: Check) -> None:
    result = run(MANY, "--format", "json")
    problems = json.loads(result.output)
    assert problems[0] == {
        "severity": "error",
        "file": "playbook/activities.yaml",
        "line": 7,
        "column": 27,
        "path": "activities[0].raci.A[1]",
        "message": "activity 'brochure' needs exactly one Accountable (A) under RACI, found 2: "
        "marketing-lead, copywriter",
        "code": None,
    }
    assert [(p["file"], p["line"], p["column"]) for p in problems] == [
        ("playbook/activities.yaml", 7, 27),
        ("playbook/glossary.yaml", 2, 5),
        ("playbook/roles.yaml", 13, 11),
        ("playbook/teams.yaml", 7, 5),
    ]
    assert result.exit_code == 1


def test_json_format_of_a_clean_playbook_is_an_empty_list(run: Check) -> None:
    result = run({}, "--format", "json")
    assert json.loads(result.output) == []
    assert result.exit_code == 0


def test_github_format_is_one_annotation_per_problem(run: Check) -> None:
    result = run(
        {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: marketng\n"},
        "--format",
        "github",
    )
    assert lines(result) == [
        (
            "::warning file=playbook/roles2.yaml,line=2,col=5::roles[4]: role 'intern' has no "
            "responsibilities (no letter, stage, handoff, cadence or engagement mentions it) "
            "[unused-role]"
        ),
        (
            "::error file=playbook/roles2.yaml,line=4,col=11::roles[4].team: unknown team "
            "'marketng' (did you mean 'marketing'?)"
        ),
    ]
    assert result.exit_code == 1


def test_github_format_of_a_warning(run: Check) -> None:
    result = run(
        {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: marketing\n"},
        "--format",
        "github",
    )
    assert lines(result) == [
        (
            "::warning file=playbook/roles2.yaml,line=2,col=5::roles[4]: role 'intern' has no "
            "responsibilities (no letter, stage, handoff, cadence or engagement mentions it) "
            "[unused-role]"
        ),
    ]
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "args", [["--format", "xml"], ["--strcit"], ["a", "b"]], ids=["bad-format", "typo", "extra"]
)
def test_usage_errors_exit_2(run: Check, args: list[str]) -> None:
    result = run({}, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# The loader's limits.


def test_an_alias_bomb_is_an_error_found_fast(run: Check) -> None:
    levels = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        levels.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "glossary:\n- term: Laughs\n  definition: Many.\n  x:\n" + "\n".join(
        "  " + level for level in levels
    )
    tracemalloc.start()
    try:
        result = run({"glossary.yaml": bomb + "\n"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB: the aliases were expanded"
    assert lines(result) == [
        (
            "playbook/glossary.yaml:9:9: error: glossary[0].x.a5[0]: aliases expand past 100,000 "
            "nodes (limit PLAYBOOK_MAX_ALIAS_NODES)"
        ),
        count(1, 0),
    ]
    assert result.exit_code == 1


def test_aliases_and_merge_keys_within_the_limit_are_allowed(run: Check) -> None:
    teams = y(
        """
        teams:
          - &internal
            id: marketing
            name: Marketing
            business_hours: {timezone: Europe/London}
          - <<: *internal
            id: agency
            name: Agency
            kind: external
        """
    )
    result = run({"teams.yaml": teams}, "--strict")
    assert lines(result) == ["2 activities, no problems"]


# The example.


def test_the_example_checks_clean_and_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE.parent)
    for args in (["check", "playbook"], ["check", "playbook", "--strict"]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert result.output.endswith("activities, no problems\n")


def test_splitting_the_example_over_files_gives_the_same_model_as_one_file(
    tmp_path: Path,
) -> None:
    merged: dict[str, Any] = {}
    for path in sorted(EXAMPLE.glob("*.yaml")):
        for section, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            if isinstance(value, list):
                merged.setdefault(section, []).extend(value)
            else:
                assert section not in merged
                merged[section] = value
    one = tmp_path / "one"
    write_tree(one, {"playbook.yaml": yaml.safe_dump(merged, allow_unicode=True, sort_keys=False)})
    split, single = check(EXAMPLE), check(one)
    assert split.diagnostics == single.diagnostics == []
    assert split.playbook is not None
    assert single.playbook is not None
    assert split.playbook.model_dump() == single.playbook.model_dump()
    assert split.playbook == single.playbook


def test_python_m_generator_on_a_broken_playbook_exits_1_without_a_traceback(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path / "playbook",
        {
            **{k: v for k, v in BASE.items() if k != "handoffs.yaml"},
            "handoffs.yaml": "handoffs:\n  - id: x\n    from: [a\n",
            "glossary.yaml": "glossary:\n  - term: !!python/name:os.system x\n    definition: y\n",
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "generator", "check", "playbook"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == count(2, 0)


# Declarations: references, sections and warning codes are declared once and read from there.


WARNING_CODES = {
    "role-nothing-mentions": "unused-role",
    "consulted-and-informed-on-one-activity": "consulted-and-informed",
    "stage-no-transition-reaches": "unreachable-stage",
    "stage-with-no-way-to-a-terminal-stage": "dead-end-stage",
    "in-scope-activity-without-a-letter-for-the-party": "scope-without-party",
    "one-role-accountable-for-more-than-40-percent": "bottleneck",
    "business-units-without-business-hours": "default-hours",
}


def test_every_warning_rule_is_registered_under_its_contract_code() -> None:
    assert list(RULES) == [
        "unused-role",
        "consulted-and-informed",
        "unreachable-stage",
        "dead-end-stage",
        "scope-without-party",
        "bottleneck",
        "default-hours",
    ]
    assert {p.id for p in WARNINGS} == set(WARNING_CODES)


@pytest.mark.parametrize(("files", "expected"), WARNINGS)
def test_each_warning_carries_the_code_of_its_rule(
    tmp_path: Path, request: pytest.FixtureRequest, files: Files, expected: list[str]
) -> None:
    write_tree(tmp_path, {k: v for k, v in {**BASE, **files}.items() if v is not None})
    result = check(tmp_path)
    case_id = request.node.callspec.id
    assert [d.code for d in result.warnings] == [WARNING_CODES[case_id]] * len(expected)
    assert all(d.code is None for d in result.errors)


def test_a_role_only_held_by_a_person_is_still_unused(run: Check) -> None:
    people = "people:\n  - name: Sam Lee\n    roles: [intern, copywriter]\n"
    result = run(
        {
            "more-roles.yaml": "roles:\n  - id: intern\n    name: Intern\n"
            "    team: marketing\n" + people
        }
    )
    assert lines(result) == [
        "playbook/more-roles.yaml:2:5: warning: roles[0]: role 'intern' has no responsibilities "
        "(no letter, stage, handoff, cadence or engagement mentions it) [unused-role]",
        count(0, 1),
    ]


def test_the_playbook_has_one_field_per_registered_section_in_registry_order() -> None:
    assert list(Playbook.model_fields) == list(SECTIONS)
    for name, section in SECTIONS.items():
        annotation = Playbook.model_fields[name].annotation
        assert section.entry in (annotation, *typing.get_args(annotation)), name
        if section.many:
            assert typing.get_origin(annotation) is tuple, name


def _id_markers(annotation: Any, metadata: Iterable[Any] = ()) -> bool:
    """Whether a field's type holds an id (an ``Id`` or ``IdOrIds``) anywhere."""
    markers = [*typing.get_args(Id)[1:], *typing.get_args(IdOrIds)[1:]]
    if any(any(m is marker for marker in markers) for m in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _id_markers(base, extra)
    return any(_id_markers(arg) for arg in typing.get_args(annotation))


def _classes(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.append(cls)
        for info in cls.model_fields.values():
            stack = [info.annotation]
            while stack:
                arg = stack.pop()
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    pending.append(arg)
                stack.extend(typing.get_args(arg))
    return seen


def test_every_id_field_but_an_entrys_own_id_is_a_declared_reference() -> None:
    """Nobody adds a link between entries without declaring what it points at."""
    undeclared = [
        f"{cls.__name__}.{name}"
        for cls in _classes(Playbook)
        for name, info in cls.model_fields.items()
        if name != "id"
        and _id_markers(info.annotation, info.metadata)
        and name not in {steps[0] for steps, _ in declared_references(cls)}
    ]
    assert undeclared == []
    assert all(
        section in SECTIONS and SECTIONS[section].addressable
        for cls in _classes(Playbook)
        for _, section in declared_references(cls)
    )


class _ReviewedCadence(Cadence):
    """A cadence with a new reference field: only its annotation is new."""

    reviewer: RoleId | None = None
    covers: tuple[StageId, ...] = ()


def test_a_new_reference_field_needs_only_its_annotation(
    run: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SECTIONS, "cadences", Section("cadences", _ReviewedCadence, noun="cadence"))
    cadences = y(
        """
        roles:
          - id: reviewer
            name: Reviewer
            team: marketing
        cadences:
          - id: weekly
            name: Weekly
            reviewer: reviewr
            covers: [lead, qualifed, lead]
        """
    )
    result = run({"cadences.yaml": cadences})
    assert lines(result) == [
        "playbook/cadences.yaml:8:15: error: cadences[0].reviewer: unknown role 'reviewr' "
        "(did you mean 'reviewer'?)",
        "playbook/cadences.yaml:9:20: error: cadences[0].covers[1]: unknown stage 'qualifed' "
        "(did you mean 'qualified'?)",
        "playbook/cadences.yaml:9:30: error: cadences[0].covers[2]: stage 'lead' is listed twice",
        count(3, 0),
    ]
    fixed = cadences.replace("reviewr", "reviewer").replace("qualifed, lead", "qualified")
    assert lines(run({"cadences.yaml": fixed}, "--strict")) == ["2 activities, no problems"]
    playbook = check("playbook").playbook
    assert playbook is not None
    [ref] = playbook.pointing_at("roles", "reviewer")
    assert (ref.section, ref.entry.id, ref.field, ref.path) == (
        "cadences",
        "weekly",
        "reviewer",
        ("reviewer",),
    )
    assert [r.field for r in playbook.pointing_at("stages", "qualified")] == ["stage", "covers"]


def _position(playbook: Playbook, section: str, entry: Any) -> tuple[str | int, ...]:
    value = getattr(playbook, section)
    if not isinstance(value, tuple):
        return (section,)
    return (section, next(i for i, e in enumerate(value) if e is entry))


def test_reference_errors_unused_roles_and_pointing_at_agree_on_the_example(
    tmp_path: Path,
) -> None:
    example = check(EXAMPLE).playbook
    assert example is not None
    assert all(
        example.find(ref.target_section, ref.target) is not None for ref in example.references
    )
    unused = {
        role.id
        for role in example.roles
        if all(ref.section == "people" for ref in example.pointing_at("roles", role.id))
        and "unused-role" not in role.allow
    }
    assert unused == set()  # and the check says so: it is clean even with --strict
    role = max(example.roles, key=lambda r: len(example.pointing_at("roles", r.id)))
    expected = {
        format_path(_position(example, ref.section, ref.entry) + ref.path)
        for ref in example.pointing_at("roles", role.id)
    }
    assert len(expected) >= 10

    def one_id(path: str) -> str:
        """An id-or-ids field holding one id is reported at the field (`A: owner`)."""
        return path.removesuffix("[0]")

    folder = tmp_path / "playbook"
    shutil.copytree(EXAMPLE, folder)
    roles_file = folder / "roles.yaml"
    data = yaml.safe_load(roles_file.read_text(encoding="utf-8"))
    data["roles"] = [r for r in data["roles"] if r["id"] != role.id]
    roles_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = check(folder)
    assert {re.split(r" \(did you mean|; ", d.message)[0] for d in result.diagnostics} == {
        f"unknown role '{role.id}'"
    }
    assert {one_id(d.path) for d in result.diagnostics} == {one_id(p) for p in expected}
    assert len(result.diagnostics) == len(expected)
