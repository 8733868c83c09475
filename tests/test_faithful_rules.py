"""The check side of faithful playbooks: each new field's bad values, warning codes and
``allow``, and messages a non-programmer can act on — the YAML, then the exact lines.

Built like ``test_rules.py``: each case starts from its small valid playbook (``BASE``) and
replaces whole files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import write_tree
from test_rules import BASE, count, lines, same_lines, y

from generator.cli import cli
from generator.model import WARNING_CODES, Activity, Handoff, Holder, Route
from generator.rules import RULES
from generator.validate import check

Files = dict[str, "str | None"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``playbook check playbook ARGS`` on BASE updated with ``files`` (None deletes a file)."""
    monkeypatch.chdir(tmp_path)

    def invoke(files: Files, *args: str) -> Result:
        tree = {**BASE, **files}
        (tmp_path / "playbook").mkdir(exist_ok=True)
        write_tree(tmp_path / "playbook", {k: v for k, v in tree.items() if v is not None})
        return CliRunner().invoke(cli, ["check", "playbook", *args], catch_exceptions=False)

    return invoke


def case(name: str, files: Files, *expected: str) -> Any:
    return pytest.param(files, list(expected), id=name)


ROUTED = y(
    """
    handoffs:
      - id: lead-to-sales
        name: Lead routing
        from: marketing-lead
        to:
          - {role: copywriter, when: the lead asks for content}
          - {role: agency-designer}
          - {role: sales-lead}
        stage: lead
        sla:
          accept: 4 business hours
        on_reject:
          to: lead
    """
)

ERRORS = [
    case(
        "a-route-list-whose-middle-route-lacks-when",
        {"handoffs.yaml": ROUTED},
        "playbook/handoffs.yaml:7:9: error: handoffs[0].to[1]: route 2 of 3 (to "
        "'agency-designer') has no 'when': every route but the last needs one (the last is "
        "taken otherwise)",
    ),
    case(
        "a-route-back-to-the-sender",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to:
                      - {role: marketing-lead, when: it is a partner lead}
                      - {role: sales-lead}
                """
            )
        },
        "playbook/handoffs.yaml:5:16: error: handoffs[0].to[0].role: handoff 'lead-to-sales' "
        "goes from role 'marketing-lead' to itself",
    ),
    case(
        "an-empty-route-list",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: []
                """
            )
        },
        "playbook/handoffs.yaml:4:9: error: handoffs[0].to: expected a list of routes "
        "{role, when}, found an empty list",
    ),
    case(
        "a-route-that-is-not-a-mapping",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: {role: sales-lead}
                """
            )
        },
        "playbook/handoffs.yaml:4:9: error: handoffs[0].to: expected a role id or a list of "
        "routes {role, when}, found a mapping",
    ),
    case(
        "two-unconditional-accountables-is-an-error-at-the-second",
        {
            "engagements.yaml": None,
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: copywriter
                      A:
                        - marketing-lead
                        - {role: sales-lead, when: the brochure names prices}
                        - copywriter
                      I: agency-designer
                """
            ),
        },
        "playbook/activities.yaml:9:11: error: activities[0].raci.A[2]: activity 'brochure' "
        "needs exactly one Accountable (A) under RACI, found 2 without a 'when': "
        "marketing-lead, copywriter",
    ),
    case(
        "only-conditional-accountables-leave-no-owner",
        {
            "engagements.yaml": None,
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: copywriter
                      A: {role: marketing-lead, when: the brochure is for trade}
                      I: agency-designer
                """
            ),
        },
        "playbook/activities.yaml:6:10: error: activities[0].raci.A: activity 'brochure' needs "
        "one Accountable (A) without a 'when': the owner when no condition applies",
    ),
    case(
        "a-role-holding-a-letter-twice-once-with-a-condition",
        {
            "engagements.yaml": None,
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: [copywriter, {role: copywriter, when: in a rush}]
                      A: marketing-lead
                      I: agency-designer
                """
            ),
        },
        "playbook/activities.yaml:5:23: error: activities[0].raci.R[1]: role 'copywriter' is "
        "listed twice",
    ),
    case(
        "a-conditional-holder-of-an-unknown-role",
        {
            "engagements.yaml": None,
            "activities.yaml": y(
                """
                activities:
                  - id: brochure
                    name: Brochure
                    raci:
                      R: copywriter
                      A: [marketing-lead, {role: copywriterr, when: in a rush}]
                """
            ),
        },
        "playbook/activities.yaml:6:34: error: activities[0].raci.A[1].role: unknown role "
        "'copywriterr' (did you mean 'copywriter'?)",
    ),
    case(
        "a-target-longer-than-within",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    sla:
                      first_touch:
                        within: 15 business minutes
                        target: 1 business hour
                """
            )
        },
        "playbook/handoffs.yaml:8:17: error: handoffs[0].sla.first_touch.target: target "
        "'1 business hour' is not shorter than within '15 business minutes': the target is the "
        "aim, within the committed limit",
    ),
    case(
        "a-clock-mapping-without-within",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    sla:
                      first_touch: {target: 5 business minutes}
                """
            )
        },
        "playbook/handoffs.yaml:6:7: error: handoffs[0].sla.first_touch: missing required "
        "field 'within'",
    ),
    case(
        "an-outcome-to-an-unknown-stage-and-owner",
        {
            "handoffs.yaml": y(
                """
                handoffs:
                  - id: lead-to-sales
                    from: marketing-lead
                    to: sales-lead
                    stage: lead
                    on_reject:
                      - {to: lead, when: too early, owner: sales}
                      - {to: wn}
                """
            )
        },
        "playbook/handoffs.yaml:7:44: error: handoffs[0].on_reject[0].owner: unknown role "
        "'sales' (did you mean 'sales-lead'?)",
        "playbook/handoffs.yaml:8:14: error: handoffs[0].on_reject[1].to: unknown stage 'wn' "
        "(did you mean 'won'?)",
    ),
    case(
        "an-unknown-warning-code-suggests-the-closest",
        {
            "roles2.yaml": y(
                """
                roles:
                  - id: intern
                    name: Intern
                    team: marketing
                    allow: [unused-roles]
                """
            )
        },
        "playbook/roles2.yaml:5:13: error: roles[4].allow[0]: unknown warning code "
        "'unused-roles' (did you mean 'unused-role'?)",
    ),
    case(
        "an-unknown-warning-code-lists-the-codes",
        {"organisation.yaml": BASE["organisation.yaml"] + "  allow: [everything]\n"},
        "playbook/organisation.yaml:10:11: error: organisation.allow[0]: unknown warning code "
        "'everything'; the codes are unused-role, consulted-and-informed, unreachable-stage, "
        "dead-end-stage, scope-without-party, bottleneck, default-hours, unused-allow",
    ),
    case(
        "the-same-glossary-term-in-the-same-context",
        {
            "glossary.yaml": y(
                """
                glossary:
                  - {term: CSM, context: Channel, definition: Channel Sales Manager}
                  - {term: CSM, context: Success, definition: Customer Success Manager}
                  - {term: CSM, context: Channel, definition: Channel Success Manager}
                """
            )
        },
        "playbook/glossary.yaml:2:12: error: glossary[0].term: glossary term 'CSM' in context "
        "'Channel' is defined again at playbook/glossary.yaml:4:12",
        "playbook/glossary.yaml:4:12: error: glossary[2].term: duplicate glossary term 'CSM' "
        "in context 'Channel' (first defined at playbook/glossary.yaml:2:12)",
    ),
    # Messages a non-programmer can act on.
    case(
        "a-team-id-where-a-role-is-expected",
        {"stages.yaml": BASE["stages.yaml"].replace("owner: marketing-lead", "owner: marketing")},
        "playbook/stages.yaml:4:12: error: stages[0].owner: 'marketing' is a team, not a role "
        "(roles in team 'marketing': marketing-lead, sales-lead, copywriter)",
    ),
    case(
        "a-role-id-where-a-team-is-expected",
        {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: copywriter\n"},
        "playbook/roles2.yaml:2:5: warning: roles[4]: role 'intern' has no responsibilities "
        "(no letter, stage, handoff, cadence or engagement mentions it) [unused-role]",
        "playbook/roles2.yaml:4:11: error: roles[4].team: 'copywriter' is a role, not a team "
        "(role 'copywriter' is in team 'marketing')",
    ),
    case(
        "a-roles-name-instead-of-its-id",
        {"activities.yaml": BASE["activities.yaml"].replace("C: [sales-lead]", "C: [Sales Lead]")},
        "playbook/activities.yaml:8:11: error: activities[0].raci.C[0]: 'Sales Lead' is the "
        "name of role 'sales-lead'; write the id",
    ),
    case(
        "a-teams-name-instead-of-its-id",
        {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: Agency\n"},
        "playbook/roles2.yaml:4:11: error: roles[4].team: 'Agency' is the name of team "
        "'agency'; write the id",
    ),
    case(
        "a-teams-name-where-a-role-is-expected",
        {"stages.yaml": BASE["stages.yaml"].replace("owner: marketing-lead", "owner: Marketing")},
        "playbook/stages.yaml:4:12: error: stages[0].owner: 'Marketing' is the name of team "
        "'marketing', not a role; write a role's id (roles in team 'marketing': "
        "marketing-lead, sales-lead, copywriter)",
    ),
    case(
        "a-combined-letter-key",
        {
            "activities.yaml": BASE["activities.yaml"].replace(
                "C: [sales-lead]", '"C, I": [sales-lead]'
            )
        },
        "playbook/activities.yaml:8:7: error: activities[0].raci.C, I: one letter per key: "
        "write `C: [sales-lead]` and `I: [sales-lead]`",
    ),
    case(
        "letters-as-the-value-of-a-role",
        {
            "activities.yaml": BASE["activities.yaml"].replace(
                "C: [sales-lead]", 'sales-lead: "C, I"'
            )
        },
        "playbook/activities.yaml:8:7: error: activities[0].raci.sales-lead: one letter per "
        "key: write `C: sales-lead` and `I: sales-lead`",
    ),
    case(
        "a-note-that-is-only-letters",
        {
            "activities.yaml": BASE["activities.yaml"].replace(
                "C: [sales-lead]", 'C: [sales-lead]\n    notes: {copywriter: "A, R"}'
            )
        },
        "playbook/activities.yaml:9:25: error: activities[0].notes.copywriter: 'A, R' is "
        "letters, not a note: under raci, one letter per key: write `A: copywriter` and "
        "`R: copywriter`",
    ),
    case(
        "no-close-match-lists-the-ids-of-that-kind",
        {"activities.yaml": BASE["activities.yaml"].replace("C: [sales-lead]", "C: [finance]")},
        "playbook/activities.yaml:8:11: error: activities[0].raci.C[0]: unknown role 'finance'; "
        "the roles are marketing-lead, sales-lead, copywriter, agency-designer",
    ),
    case(
        "no-close-match-among-many-lists-five",
        {
            "roles2.yaml": "roles:\n"
            + "".join(
                f"  - id: writer-{n}\n    name: Writer {n}\n    team: marketing\n"
                "    allow: [unused-role]\n"
                for n in range(1, 4)
            ),
            "activities.yaml": BASE["activities.yaml"].replace("C: [sales-lead]", "C: [finance]"),
        },
        "playbook/activities.yaml:8:11: error: activities[0].raci.C[0]: unknown role 'finance'; "
        "roles include marketing-lead, sales-lead, copywriter, agency-designer, writer-1 (5 of 7)",
    ),
]


@pytest.mark.parametrize(("files", "expected"), ERRORS)
def test_bad_input_gives_exactly_these_lines_and_exit_1(
    run: Any, files: Files, expected: list[str]
) -> None:
    result = run(files)
    warnings = sum(": warning: " in line for line in expected)
    got = lines(result)
    wanted = sorted(expected, key=lambda line: line.split(": ")[0])
    assert same_lines(got, [*wanted, count(len(expected) - warnings, warnings)]), got
    assert result.exit_code == 1


# Conditional holders count as the contract says.


def test_a_conditional_holder_counts_towards_the_minimum(run: Any) -> None:
    files = {
        "activities.yaml": BASE["activities.yaml"].replace(
            "R: [agency-designer, copywriter]",
            "R:\n          - {role: copywriter, when: webinars}\n"
            "          - {role: agency-designer, when: print}",
        )
    }
    result = run(files, "--strict")
    assert lines(result) == ["2 activities, no problems"]


def test_the_maximum_counts_only_holders_without_a_condition(run: Any) -> None:
    files = {
        "activities.yaml": BASE["activities.yaml"].replace(
            "A: marketing-lead",
            "A: [marketing-lead, {role: sales-lead, when: the brochure names prices}]",
        )
    }
    assert run(files, "--strict").exit_code == 0
    playbook = check(Path("playbook")).playbook
    assert playbook is not None
    brochure = playbook.activity("brochure")
    assert brochure.holders("A") == (
        Holder(role="marketing-lead"),
        Holder(role="sales-lead", when="the brochure names prices"),
    )
    assert brochure.role_ids("A") == ("marketing-lead", "sales-lead")
    assert playbook.letters_of(brochure, "sales-lead") == ("A", "C")
    assert playbook.condition(brochure, "A", "sales-lead") == "the brochure names prices"
    assert playbook.condition(brochure, "A", "marketing-lead") is None
    assert playbook.accountable_for(brochure).id == "marketing-lead"  # type: ignore[union-attr]


def test_a_holder_mapping_without_when_is_the_plain_id() -> None:
    activity = Activity.model_validate(
        {"id": "a", "name": "A", "raci": {"A": {"role": "x"}, "R": ["y", {"role": "z"}]}}
    )
    assert activity.raci == {"A": ("x",), "R": ("y", "z")}
    assert activity.model_dump()["raci"] == {"A": ["x"], "R": ["y", "z"]}


# Handoffs: routes, clocks, outcomes.


def test_routes_clocks_and_outcomes_read_as_the_pages_need_them() -> None:
    handoff = Handoff.model_validate(
        {
            "id": "inbound",
            "from": "router",
            "to": [{"role": "bdr", "when": "a named territory"}, {"role": "sdr"}],
            "sla": {
                "accept": "4 business hours",
                "first_touch": {
                    "within": "15 business minutes",
                    "target": "5 business minutes",
                    "from": "the lead becomes an MQL",
                    "label": "First touch",
                },
            },
            "on_reject": {"to": "nurture", "reasons": ["No budget"]},
        }
    )
    assert handoff.routes == (Route(role="bdr", when="a named territory"), Route(role="sdr"))
    assert handoff.receiver == "sdr"
    accept, first = handoff.clocks
    assert (accept.key, accept.label, str(accept.within), accept.target, accept.start) == (
        "accept",
        "accept",
        "4 business hours",
        None,
        None,
    )
    assert (first.label, str(first.within), str(first.target), first.start) == (
        "First touch",
        "15 business minutes",
        "5 business minutes",
        "the lead becomes an MQL",
    )
    (outcome,) = handoff.outcomes
    assert (outcome.to, outcome.when, outcome.owner, outcome.reasons) == (
        "nurture",
        None,
        None,
        ("No budget",),
    )


def test_each_routes_clock_runs_on_its_roles_hours(run: Any) -> None:
    roles = BASE["roles.yaml"].replace(
        "team: agency",
        "team: agency\n    business_hours: {timezone: local, start: '08:00'}",
    )
    assert (
        run(
            {
                "roles.yaml": roles,
                "handoffs.yaml": ROUTED.replace(
                    "- {role: agency-designer}",
                    "- {role: agency-designer, when: it needs a design}",
                ),
            },
            "--strict",
        ).exit_code
        == 0
    )
    playbook = check(Path("playbook")).playbook
    assert playbook is not None
    handoff = playbook.handoff("lead-to-sales")
    designer = playbook.sla_clock(handoff, handoff.routes[1])
    assert designer.local
    assert designer.describe() == "Mon–Fri 08:00–17:00, the holder's local time"
    assert playbook.sla_clock(handoff).describe() == "Mon–Fri 09:00–17:00 Europe/London"
    assert playbook.handoff_title(handoff) == "Lead routing"


def test_an_outcome_counts_as_a_transition_from_the_handoffs_stage(run: Any) -> None:
    stages = BASE["stages.yaml"] + "  - id: nurture\n    name: Nurture\n    next: [lead]\n"
    handoffs = BASE["handoffs.yaml"].replace(
        "on_reject:\n      to: lead",
        "on_reject:\n      - {to: lead, when: too early}\n      - {to: nurture, owner: copywriter}",
    )
    assert run({"stages.yaml": stages, "handoffs.yaml": handoffs}, "--strict").exit_code == 0


def test_business_minutes_and_local_time_are_accepted(run: Any) -> None:
    handoffs = BASE["handoffs.yaml"].replace("4 business hours", "30 business minutes")
    teams = BASE["teams.yaml"] + "    business_hours: {timezone: local}\n"
    assert run({"handoffs.yaml": handoffs, "teams.yaml": teams}, "--strict").exit_code == 0


# Warning codes and allow.

UNUSED_INTERN = {"roles2.yaml": "roles:\n  - id: intern\n    name: Intern\n    team: marketing\n"}


def test_every_warning_has_a_code_and_every_code_a_meaning() -> None:
    assert set(RULES) | {"unused-allow"} == set(WARNING_CODES)


def test_the_code_ends_the_text_line_and_is_a_field_in_json_and_github(run: Any) -> None:
    text = lines(run(UNUSED_INTERN))[0]
    assert text.endswith(" [unused-role]")
    (problem,) = json.loads(run(UNUSED_INTERN, "--format", "json").output)
    assert problem["code"] == "unused-role"
    assert problem["message"].endswith("mentions it)")
    github = lines(run(UNUSED_INTERN, "--format", "github"))[0]
    assert github.startswith("::warning ") and github.endswith(" [unused-role]")


def test_allow_on_an_entry_silences_its_warning_and_strict_passes(run: Any) -> None:
    files = {"roles2.yaml": UNUSED_INTERN["roles2.yaml"] + "    allow: [unused-role]\n"}
    result = run(files, "--strict")
    assert lines(result) == ["2 activities, no problems"]
    assert result.exit_code == 0


def test_organisation_allow_silences_everywhere(run: Any) -> None:
    organisation = BASE["organisation.yaml"] + "  allow: [unused-role]\n"
    result = run({**UNUSED_INTERN, "organisation.yaml": organisation}, "--strict")
    assert result.exit_code == 0, result.output


def test_an_allow_that_silences_nothing_is_an_unused_allow_warning(run: Any) -> None:
    files = {
        "roles2.yaml": UNUSED_INTERN["roles2.yaml"] + "    allow: [unused-role, bottleneck]\n",
        "organisation.yaml": BASE["organisation.yaml"] + "  allow: [dead-end-stage]\n",
    }
    result = run(files)
    assert lines(result) == [
        "playbook/organisation.yaml:10:11: warning: organisation.allow[0]: allow "
        "'dead-end-stage' silences nothing: the playbook has none; remove it [unused-allow]",
        "playbook/roles2.yaml:5:26: warning: roles[4].allow[1]: allow 'bottleneck' silences "
        "nothing: none is about role 'intern'; remove it [unused-allow]",
        count(0, 2),
    ]
    assert result.exit_code == 0
    assert run(files, "--strict").exit_code == 1


def test_strict_fails_only_on_warnings_that_are_not_allowed(run: Any) -> None:
    files = {
        "roles2.yaml": UNUSED_INTERN["roles2.yaml"]
        + "  - id: trainee\n    name: Trainee\n    team: marketing\n    allow: [unused-role]\n"
    }
    result = run(files, "--strict")
    assert lines(result) == [
        "playbook/roles2.yaml:2:5: warning: roles[4]: role 'intern' has no responsibilities "
        "(no letter, stage, handoff, cadence or engagement mentions it) [unused-role]",
        count(0, 1),
    ]
    assert result.exit_code == 1


def test_unused_allow_can_itself_be_allowed(run: Any) -> None:
    files = {
        "roles2.yaml": UNUSED_INTERN["roles2.yaml"]
        + "    allow: [unused-role, bottleneck, unused-allow]\n"
    }
    assert run(files, "--strict").exit_code == 0


def test_glossary_terms_may_repeat_with_another_context(run: Any) -> None:
    glossary = y(
        """
        glossary:
          - {term: CSM, context: Channel programs, definition: Channel Sales Manager}
          - {term: CSM, context: Customer success, definition: Customer Success Manager}
        """
    )
    assert run({"glossary.yaml": glossary}, "--strict").exit_code == 0
