"""`playbook diff`: who gained or lost which letter, SLA, stage, handoff and scope changes."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.diff import KINDS, diff_playbooks, format_changes
from generator.model import SECTIONS, Cadence, Markdown, RoleId, Section
from generator.validate import check

BASE: dict[str, Any] = {
    "organisation": {
        "name": "Northwind Widgets",
        "version": "2026.1",
        "effective": "2026-01-15",
        "maintainer": "marketing-lead",
        "business_hours": {"start": "09:00", "end": "17:00", "timezone": "Europe/London"},
    },
    "teams": [
        {
            "id": "marketing",
            "name": "Marketing",
            "goals": [{"id": "warm-leads", "statement": "Hand sales warm leads", "target": 120}],
        },
        {"id": "sales", "name": "Sales"},
        {"id": "brightwave", "name": "Brightwave", "kind": "external"},
    ],
    "roles": [
        {
            "id": "marketing-lead",
            "name": "Marketing Lead",
            "team": "marketing",
            "holders": ["Ana Ruiz"],
        },
        {"id": "sales-lead", "name": "Sales Lead", "team": "sales"},
        {"id": "account-executive", "name": "Account Executive", "team": "sales"},
        {"id": "agency-designer", "name": "Agency Designer", "team": "brightwave"},
        {
            "id": "agency-director",
            "name": "Agency Director",
            "team": "brightwave",
            "holders": ["Sam Hale"],
        },
    ],
    "stages": [
        {"id": "cold", "name": "Cold", "owner": "marketing-lead"},
        {
            "id": "warm-lead",
            "name": "Warm lead",
            "owner": "marketing-lead",
            "probability": 10,
            "max_duration": "30 days",
            "next": ["sales-accepted", "nurture"],
        },
        {"id": "nurture", "name": "Nurture", "next": ["warm-lead"]},
        {
            "id": "sales-accepted",
            "name": "Sales accepted",
            "owner": "account-executive",
            "probability": 20,
            "next": ["closed-won", "closed-lost"],
        },
        {"id": "closed-won", "name": "Closed won", "terminal": True},
        {"id": "closed-lost", "name": "Closed lost", "terminal": True},
    ],
    "handoffs": [
        {
            "id": "warm-lead-to-sales",
            "from": "marketing-lead",
            "to": "account-executive",
            "stage": "warm-lead",
            "sla": {"accept": "4 business hours", "first_contact": "1 business day"},
            "on_reject": {"to": "nurture"},
        },
    ],
    "activities": [
        {
            "id": "brochure",
            "name": "Product brochure",
            "area": "Collateral",
            "stage": "cold",
            "raci": {
                "R": ["agency-designer", "marketing-lead"],
                "A": "marketing-lead",
                "C": ["sales-lead"],
            },
        },
        {
            "id": "lead-follow-up",
            "name": "Lead follow-up",
            "area": "Sales",
            "stage": "sales-accepted",
            "raci": {"R": "account-executive", "A": "sales-lead", "I": ["marketing-lead"]},
        },
        {
            "id": "social-posts",
            "name": "Social posts",
            "area": "Social",
            "raci": {"R": "agency-designer", "A": "agency-director", "C": ["marketing-lead"]},
        },
    ],
    "engagements": [
        {
            "id": "brightwave-2026",
            "name": "Brightwave — 2026 retainer",
            "party": "brightwave",
            "client_contact": "marketing-lead",
            "party_contact": "agency-director",
            "starts": "2026-02-01",
            "ends": "2026-12-31",
            "in_scope": ["brochure", "social-posts"],
            "out_of_scope": ["lead-follow-up"],
            "deliverables": [{"name": "Brochure", "quantity": 1, "due": "2026-03-01"}],
            "approvals": {"approver": "marketing-lead", "review_window": "5 business days"},
            "sign_off": ["marketing-lead", "agency-director"],
        },
    ],
    "cadences": [
        {
            "id": "pipeline-review",
            "name": "Weekly pipeline review",
            "every": "week",
            "chair": "sales-lead",
            "attendees": ["marketing-lead", "account-executive"],
            "purpose": "Review rejected leads and collateral requests.",
        },
    ],
}

BROCHURE = "'Product brochure' (brochure)"
ENGAGEMENT = "'Brightwave — 2026 retainer' (brightwave-2026)"
HANDOFF = "handoff 'Marketing Lead → Account Executive' (warm-lead-to-sales)"


def write_playbook(folder: Path, data: dict[str, Any]) -> Path:
    """One YAML file per section, as a user might split them."""
    folder.mkdir(parents=True, exist_ok=True)
    for section, value in data.items():
        text = yaml.safe_dump({section: value}, sort_keys=False, allow_unicode=True)
        (folder / f"{section}.yaml").write_text(text, encoding="utf-8")
    return folder


def entry(data: dict[str, Any], section: str, item_id: str) -> dict[str, Any]:
    return next(item for item in data[section] if item["id"] == item_id)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write the base playbook as ``old`` and an edited copy as ``new``; run the diff."""
    monkeypatch.chdir(tmp_path)
    write_playbook(tmp_path / "old", BASE)

    def diff(edit: Any, *options: str) -> Result:
        data = copy.deepcopy(BASE)
        edit(data)
        write_playbook(tmp_path / "new", data)
        return run("diff", "old", "new", *options)

    return diff


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def test_a_playbook_compared_with_itself_has_no_changes(folders: Any) -> None:
    result = folders(lambda data: None)
    assert result.exit_code == 0
    assert result.stdout == "no changes\n"


def test_accountable_moves_come_first_then_the_letters_each_role_gained_and_lost(
    folders: Any,
) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["raci"].update(
            {"A": "sales-lead", "C": ["marketing-lead"]}
        )

    result = folders(edit)
    assert result.exit_code == 3
    assert lines(result) == [
        f"Accountable for {BROCHURE}: Marketing Lead (marketing-lead) → Sales Lead (sales-lead)",
        f"Marketing Lead (marketing-lead) gained C on {BROCHURE}",
        f"Sales Lead (sales-lead) lost C on {BROCHURE}",
        "3 changes",
    ]


def test_an_accountable_change_is_listed_before_earlier_activities_letter_changes(
    folders: Any,
) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["raci"]["C"] = ["sales-lead", "account-executive"]
        entry(data, "activities", "social-posts")["raci"]["A"] = "marketing-lead"

    assert lines(folders(edit)) == [
        (
            "Accountable for 'Social posts' (social-posts): Agency Director (agency-director) → "
            "Marketing Lead (marketing-lead)"
        ),
        f"Account Executive (account-executive) gained C on {BROCHURE}",
        "2 changes",
    ]


def test_an_added_activity_names_its_accountable_and_each_letter_gained(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"].append(
            {
                "id": "case-studies",
                "name": "Case studies",
                "raci": {"R": "marketing-lead", "A": "sales-lead"},
            }
        )

    result = folders(edit)
    assert result.exit_code == 3
    assert lines(result) == [
        "Accountable for 'Case studies' (case-studies): nobody → Sales Lead (sales-lead)",
        "Marketing Lead (marketing-lead) gained R on 'Case studies' (case-studies)",
        "Activity 'Case studies' (case-studies) added",
        "3 changes",
    ]


def test_a_removed_activity_and_its_scope_entry_are_reported(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["activities"] = [a for a in data["activities"] if a["id"] != "social-posts"]
        data["engagements"][0]["in_scope"] = ["brochure"]

    assert lines(folders(edit)) == [
        "Accountable for 'Social posts' (social-posts): Agency Director (agency-director) → nobody",
        "Marketing Lead (marketing-lead) lost C on 'Social posts' (social-posts)",
        "Agency Designer (agency-designer) lost R on 'Social posts' (social-posts)",
        "Activity 'Social posts' (social-posts) removed",
        f"'Social posts' (social-posts) removed from the scope of {ENGAGEMENT}",
        "5 changes",
    ]


def test_activity_fields_show_old_and_new_values(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        brochure = entry(data, "activities", "brochure")
        brochure.update({"name": "Sales brochure", "area": "Sales tools", "stage": "warm-lead"})

    assert lines(folders(edit)) == [
        "Activity 'Sales brochure' (brochure) name: Product brochure → Sales brochure",
        "Activity 'Sales brochure' (brochure) area: Collateral → Sales tools",
        "Activity 'Sales brochure' (brochure) stage: 'Cold' (cold) → 'Warm lead' (warm-lead)",
        "3 changes",
    ]


def test_roles_added_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(BASE)
    data["roles"].append({"id": "sales-ops", "name": "Sales Ops", "team": "sales"})
    entry(data, "activities", "lead-follow-up")["raci"]["I"].append("sales-ops")
    write_playbook(tmp_path / "old", BASE)
    write_playbook(tmp_path / "new", data)
    added = run("diff", "old", "new")
    removed = run("diff", "new", "old")
    assert (added.exit_code, removed.exit_code) == (3, 3)
    assert lines(added) == [
        "Sales Ops (sales-ops) gained I on 'Lead follow-up' (lead-follow-up)",
        "Role Sales Ops (sales-ops) added",
        "2 changes",
    ]
    assert lines(removed) == [
        "Sales Ops (sales-ops) lost I on 'Lead follow-up' (lead-follow-up)",
        "Role Sales Ops (sales-ops) removed",
        "2 changes",
    ]


def test_a_role_moving_team_shows_both_teams(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "roles", "sales-lead")["team"] = "marketing"

    assert lines(folders(edit)) == [
        "Role Sales Lead (sales-lead) team: Sales (sales) → Marketing (marketing)",
        "1 change",
    ]


def test_sla_clocks_changed_added_and_removed(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["handoffs"][0]["sla"] = {"accept": "2 business hours", "follow_up": "3 days"}

    assert lines(folders(edit)) == [
        f"SLA accept of {HANDOFF}: 4 business hours → 2 business hours",
        f"SLA follow_up of {HANDOFF} added: 3 days",
        f"SLA first_contact of {HANDOFF} removed (was 1 business day)",
        "3 changes",
    ]


def test_stages_added_removed_and_changed(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        warm = entry(data, "stages", "warm-lead")
        warm.update(
            {
                "owner": "sales-lead",
                "probability": 15,
                "max_duration": "20 days",
                "next": ["sales-accepted"],
            }
        )
        data["stages"].append({"id": "disqualified", "name": "Disqualified", "terminal": True})

    assert lines(folders(edit)) == [
        (
            "Stage 'Warm lead' (warm-lead) owner: Marketing Lead (marketing-lead) → "
            "Sales Lead (sales-lead)"
        ),
        "Stage 'Warm lead' (warm-lead) probability: 10 → 15",
        "Stage 'Warm lead' (warm-lead) max_duration: 30 days → 20 days",
        (
            "Stage 'Warm lead' (warm-lead) next: 'Sales accepted' (sales-accepted), "
            "'Nurture' (nurture) → 'Sales accepted' (sales-accepted)"
        ),
        "Stage 'Disqualified' (disqualified) added",
        "5 changes",
    ]


def test_handoffs_added_and_changed(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["handoffs"][0].update({"to": "sales-lead", "on_reject": {"to": "cold"}})
        data["handoffs"].append(
            {"id": "sales-feedback", "from": "account-executive", "to": "marketing-lead"}
        )

    assert lines(folders(edit)) == [
        (
            "Handoff 'Marketing Lead → Sales Lead' (warm-lead-to-sales) to: "
            "Account Executive (account-executive) → Sales Lead (sales-lead)"
        ),
        (
            "Handoff 'Marketing Lead → Sales Lead' (warm-lead-to-sales) on_reject.to: "
            "'Nurture' (nurture) → 'Cold' (cold)"
        ),
        "Handoff 'Account Executive → Marketing Lead' (sales-feedback) added",
        "3 changes",
    ]


def test_scope_moves_read_moved_from_out_of_scope_to_in_scope(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["engagements"][0].update(
            {"in_scope": ["brochure", "lead-follow-up"], "out_of_scope": ["social-posts"]}
        )

    result = folders(edit)
    assert result.exit_code == 3
    assert lines(result) == [
        f"'Lead follow-up' (lead-follow-up) moved from out of scope to in scope of {ENGAGEMENT}",
        f"'Social posts' (social-posts) moved from in scope to out of scope of {ENGAGEMENT}",
        "2 changes",
    ]


def test_activities_added_to_and_dropped_from_scope(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["engagements"][0].update({"in_scope": ["brochure"], "out_of_scope": []})

    assert lines(folders(edit)) == [
        f"'Lead follow-up' (lead-follow-up) no longer listed as out of scope of {ENGAGEMENT}",
        f"'Social posts' (social-posts) removed from the scope of {ENGAGEMENT}",
        "2 changes",
    ]


def test_engagement_dates_approver_review_window_and_deliverables(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        engagement = data["engagements"][0]
        engagement["ends"] = "2027-03-31"
        engagement["approvals"] = {"approver": "sales-lead", "review_window": "3 business days"}
        engagement["deliverables"] = [
            {"name": "Brochure", "quantity": 1, "due": "2026-04-01"},
            {"name": "Social calendar", "quantity": 12},
        ]

    assert lines(folders(edit)) == [
        f"Engagement {ENGAGEMENT} ends: 2026-12-31 → 2027-03-31",
        (
            f"Engagement {ENGAGEMENT} approvals.approver: Marketing Lead (marketing-lead) → "
            "Sales Lead (sales-lead)"
        ),
        f"Engagement {ENGAGEMENT} approvals.review_window: 5 business days → 3 business days",
        f"Engagement {ENGAGEMENT} deliverable 'Brochure' due: 2026-03-01 → 2026-04-01",
        f"Engagement {ENGAGEMENT} deliverable 'Social calendar' added",
        "5 changes",
    ]


def test_every_kind_is_reported_in_the_contract_order(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    entry(data, "activities", "brochure")["raci"]["A"] = "sales-lead"
    data["activities"].append(
        {"id": "faq", "name": "FAQ", "raci": {"R": "marketing-lead", "A": "marketing-lead"}}
    )
    data["roles"].append({"id": "sales-ops", "name": "Sales Ops", "team": "sales"})
    data["handoffs"][0]["sla"]["accept"] = "1 business hour"
    entry(data, "stages", "nurture")["name"] = "Nurturing"
    data["handoffs"][0]["stage"] = "cold"
    data["engagements"][0]["out_of_scope"] = []
    data["engagements"][0]["starts"] = "2026-03-01"
    entry(data, "teams", "sales")["name"] = "Sales team"
    data["cadences"][0]["chair"] = "marketing-lead"
    old = check(write_playbook(tmp_path / "old", BASE)).playbook
    new = check(write_playbook(tmp_path / "new", data)).playbook
    assert old is not None and new is not None
    kinds = [change.kind for change in diff_playbooks(old, new)]
    assert sorted(set(kinds), key=kinds.index) == list(KINDS)
    assert kinds == sorted(kinds, key=KINDS.index)


CADENCE = "Cadence 'Weekly pipeline review' (pipeline-review)"


def test_a_cadence_change_names_its_chair_and_attendees_by_name_and_id(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["cadences"][0].update(
            {
                "every": "fortnight",
                "chair": "marketing-lead",
                "attendees": ["account-executive", "agency-director"],
                "purpose": "Rewritten prose is not a change of responsibility.",
            }
        )

    result = folders(edit)
    assert result.exit_code == 3
    assert lines(result) == [
        f"{CADENCE} every: week → fortnight",
        f"{CADENCE} chair: Sales Lead (sales-lead) → Marketing Lead (marketing-lead)",
        (
            f"{CADENCE} attendees: Marketing Lead (marketing-lead), "
            "Account Executive (account-executive) → Account Executive (account-executive), "
            "Agency Director (agency-director)"
        ),
        "3 changes",
    ]


def test_cadences_added_and_removed(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["cadences"] = [
            {"id": "collateral-review", "name": "Collateral review", "chair": "marketing-lead"}
        ]

    assert lines(folders(edit)) == [
        "Cadence 'Collateral review' (collateral-review) added",
        f"{CADENCE} removed",
        "2 changes",
    ]


def test_a_cadence_change_is_json_with_its_kind_field_and_roles(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["cadences"][0]["chair"] = "marketing-lead"

    [change] = json.loads(folders(edit, "--format", "json").stdout)
    assert change == {
        "kind": "cadence",
        "action": "changed",
        "subject": {"type": "cadence", "id": "pipeline-review", "name": "Weekly pipeline review"},
        "related": None,
        "field": "chair",
        "old": {"type": "role", "id": "sales-lead", "name": "Sales Lead"},
        "new": {"type": "role", "id": "marketing-lead", "name": "Marketing Lead"},
        "text": f"{CADENCE} chair: Sales Lead (sales-lead) → Marketing Lead (marketing-lead)",
    }


def test_cadence_changes_have_their_own_heading_in_markdown(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["cadences"][0]["every"] = "month"

    text = folders(edit, "--format", "markdown").stdout
    assert f"## Cadences\n\n- {CADENCE} every: week → month\n" in text


def test_a_team_and_its_goals_are_compared_from_the_declarations(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        marketing = entry(data, "teams", "marketing")
        marketing["horizon"] = "Next quarter"
        marketing["goals"] = [
            {"id": "warm-leads", "statement": "Hand sales warm leads", "target": 150},
            {"id": "reach", "statement": "Grow reach"},
        ]

    assert lines(folders(edit)) == [
        "Team Marketing (marketing) horizon: none → Next quarter",
        "Team Marketing (marketing) goal 'warm-leads' target: 120 → 150",
        "Team Marketing (marketing) goal 'reach' added",
        "3 changes",
    ]


def test_who_holds_a_role_is_a_change_of_the_role(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "roles", "sales-lead")["holders"] = ["Ana Ruiz"]

    assert lines(folders(edit)) == [
        "Role Sales Lead (sales-lead) holders: none → Ana Ruiz",
        "1 change",
    ]


class _ReviewedCadence(Cadence):
    """A cadence with a field added the way a new field is added: its declaration only."""

    reviewer: RoleId | None = None
    notes: Markdown | None = None


def test_a_field_added_to_a_section_is_compared_from_its_declaration(
    folders: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SECTIONS, "cadences", Section("cadences", _ReviewedCadence, noun="cadence"))

    def edit(data: dict[str, Any]) -> None:
        data["cadences"][0].update({"reviewer": "agency-director", "notes": "Prose."})

    assert lines(folders(edit)) == [
        f"{CADENCE} reviewer: none → Agency Director (agency-director)",
        "1 change",
    ]


def test_markdown_reads_as_an_amendment_with_a_sign_off_table(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["organisation"].update({"version": "2026.2", "effective": "2026-04-01"})
        data["engagements"][0]["out_of_scope"] = []
        data["engagements"][0]["in_scope"].append("lead-follow-up")
        entry(data, "activities", "brochure")["raci"]["C"] = ["sales-lead", "account-executive"]

    result = folders(edit, "--format", "markdown")
    assert result.exit_code == 3
    assert result.stdout == (
        "# Amendment to the responsibility playbook: version 2026.1 → 2026.2\n"
        "\n"
        "- Organisation: Northwind Widgets\n"
        "- Previous: version 2026.1, effective 2026-01-15\n"
        "- This amendment: version 2026.2, effective 2026-04-01\n"
        "- 2 changes\n"
        "\n"
        "## Letters gained and lost\n"
        "\n"
        f"- Account Executive (account-executive) gained C on {BROCHURE}\n"
        "\n"
        "## Engagement scope\n"
        "\n"
        f"- 'Lead follow-up' (lead-follow-up) moved from out of scope to in scope of "
        f"{ENGAGEMENT}\n"
        "\n"
        "## Sign-off\n"
        "\n"
        f"### {ENGAGEMENT}\n"
        "\n"
        "| Role | Name | Date | Signature |\n"
        "| --- | --- | --- | --- |\n"
        "| Marketing Lead (marketing-lead) | Ana Ruiz |  |  |\n"
        "| Agency Director (agency-director) | Sam Hale |  |  |\n"
    )


def test_markdown_escapes_user_text(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["name"] = "Brochure | *draft* <b>"

    text = folders(edit, "--format", "markdown").stdout
    assert "- Activity 'Brochure \\| \\*draft\\* \\<b\\>' (brochure) name:" in text


def test_json_lists_each_change_with_its_subject_field_and_values(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["handoffs"][0]["sla"]["accept"] = "2 business hours"
        data["engagements"][0]["in_scope"].append("lead-follow-up")
        data["engagements"][0]["out_of_scope"] = []

    result = folders(edit, "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == [
        {
            "kind": "sla",
            "action": "changed",
            "subject": {
                "type": "handoff",
                "id": "warm-lead-to-sales",
                "name": "Marketing Lead → Account Executive",
            },
            "related": None,
            "field": "accept",
            "old": {"value": 4, "unit": "hour", "business": True},
            "new": {"value": 2, "unit": "hour", "business": True},
            "text": f"SLA accept of {HANDOFF}: 4 business hours → 2 business hours",
        },
        {
            "kind": "scope",
            "action": "moved",
            "subject": {
                "type": "engagement",
                "id": "brightwave-2026",
                "name": "Brightwave — 2026 retainer",
            },
            "related": {"type": "activity", "id": "lead-follow-up", "name": "Lead follow-up"},
            "field": "scope",
            "old": "out of scope",
            "new": "in scope",
            "text": "'Lead follow-up' (lead-follow-up) moved from out of scope to in scope of "
            f"{ENGAGEMENT}",
        },
    ]


def test_json_without_changes_is_an_empty_list(folders: Any) -> None:
    result = folders(lambda data: None, "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_an_invalid_side_exits_1_with_its_diagnostics(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["raci"]["A"] = ["qa-lead"]

    result = folders(edit)
    assert result.exit_code == 1
    assert lines(result) == [
        (
            "new/activities.yaml:11:7: error: activities[0].raci.A[0]: unknown role 'qa-lead' "
            "(did you mean 'sales-lead'?)"
        ),
        "1 problem (1 error, 0 warnings)",
    ]


def test_a_side_that_is_neither_a_folder_nor_a_revision_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_playbook(tmp_path / "new", BASE)
    result = run("diff", "missing", "new")
    assert result.exit_code == 2
    assert "'missing' is neither a playbook folder nor a git revision" in result.stderr


def test_format_changes_rejects_an_unknown_format(tmp_path: Path) -> None:
    playbook = check(write_playbook(tmp_path / "pb", BASE)).playbook
    assert playbook is not None
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        format_changes(diff_playbooks(playbook, playbook), "yaml")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose last commit holds the base playbook under ``playbook/``."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.com")
    git(tmp_path, "config", "user.name", "Test")
    git(tmp_path, "config", "commit.gpgsign", "false")
    write_playbook(tmp_path / "playbook", BASE)
    git(tmp_path, "add", "playbook")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scope_move(data: dict[str, Any]) -> None:
    data["engagements"][0]["out_of_scope"] = []
    data["engagements"][0]["in_scope"].append("lead-follow-up")


def test_a_bare_revision_compares_the_other_sides_folder_at_that_revision(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    scope_move(data)
    write_playbook(repo / "playbook", data)
    result = run("diff", "HEAD", "playbook")
    assert result.exit_code == 3
    assert lines(result) == [
        f"'Lead follow-up' (lead-follow-up) moved from out of scope to in scope of {ENGAGEMENT}",
        "1 change",
    ]


def test_revision_and_path_on_both_sides(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    scope_move(data)
    write_playbook(repo / "playbook", data)
    git(repo, "commit", "-q", "-am", "scope")
    assert run("diff", "HEAD~1:playbook", "HEAD:playbook").exit_code == 3
    assert run("diff", "HEAD~1", "HEAD:playbook").exit_code == 3
    unchanged = run("diff", "HEAD:playbook", "playbook")
    assert (unchanged.exit_code, unchanged.stdout) == (0, "no changes\n")


def test_an_invalid_revision_names_its_files_by_revision(repo: Path) -> None:
    data = copy.deepcopy(BASE)
    entry(data, "activities", "brochure")["raci"]["A"] = ["qa-lead"]
    write_playbook(repo / "playbook", data)
    git(repo, "commit", "-q", "-am", "broken")
    write_playbook(repo / "playbook", BASE)
    result = run("diff", "HEAD", "playbook")
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "HEAD:playbook/activities.yaml:11:7: error: activities[0].raci.A[0]: unknown role "
        "'qa-lead' (did you mean 'sales-lead'?)"
    )


def test_a_revision_without_the_folder_is_a_usage_error(repo: Path) -> None:
    result = run("diff", "HEAD:nowhere", "playbook")
    assert result.exit_code == 2
    assert "not a folder at HEAD" in result.stderr


# Faithful playbooks: the new fields are compared too.


def test_a_letter_that_gains_a_condition_is_a_change(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["raci"]["C"] = [
            {"role": "sales-lead", "when": "the brochure names prices"}
        ]

    assert lines(folders(edit)) == [
        f"Sales Lead (sales-lead) holds C on {BROCHURE} always → when the brochure names prices",
        "1 change",
    ]


def test_a_conditional_accountable_beside_the_owner_changes_who_is_accountable(
    folders: Any,
) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "activities", "brochure")["raci"]["A"] = [
            "marketing-lead",
            {"role": "sales-lead", "when": "it names prices"},
        ]

    assert lines(folders(edit)) == [
        f"Accountable for {BROCHURE}: Marketing Lead (marketing-lead) → Marketing Lead "
        "(marketing-lead), Sales Lead (sales-lead) when it names prices",
        "1 change",
    ]


def test_handoff_name_routes_clocks_and_outcomes_are_compared(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["handoffs"][0].update(
            {
                "name": "Warm lead handoff",
                "to": [
                    {"role": "sales-lead", "when": "the lead is a key account"},
                    {"role": "account-executive"},
                ],
                "sla": {
                    "accept": {
                        "within": "4 business hours",
                        "target": "1 business hour",
                        "label": "Accept",
                    },
                    "first_contact": "1 business day",
                },
                "on_reject": [
                    {"to": "nurture", "when": "too early", "owner": "marketing-lead"},
                    {"to": "cold"},
                ],
            }
        )

    assert lines(folders(edit)) == [
        "SLA accept of handoff 'Warm lead handoff' (warm-lead-to-sales): 4 business hours → "
        "4 business hours, target 1 business hour, label Accept",
        "Handoff 'Warm lead handoff' (warm-lead-to-sales) name: none → Warm lead handoff",
        "Handoff 'Warm lead handoff' (warm-lead-to-sales) to: Account Executive "
        "(account-executive) → Sales Lead (sales-lead) when the lead is a key account, "
        "Account Executive (account-executive)",
        "Handoff 'Warm lead handoff' (warm-lead-to-sales) on_reject[0].when: none → too early",
        "Handoff 'Warm lead handoff' (warm-lead-to-sales) on_reject[0].owner: none → "
        "Marketing Lead (marketing-lead)",
        "Handoff 'Warm lead handoff' (warm-lead-to-sales) on_reject[1] added: 'Cold' (cold)",
        "6 changes",
    ]


def test_a_clock_mapping_of_only_within_is_that_duration(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["handoffs"][0]["sla"]["accept"] = {"within": "4 business hours"}

    assert folders(edit).stdout == "no changes\n"


def test_role_goals_and_hours_and_stage_maps_are_compared(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        role = entry(data, "roles", "account-executive")
        role["business_hours"] = {"timezone": "local"}
        role["goals"] = [{"id": "deals", "statement": "Close deals", "period": "FY2027"}]
        entry(data, "stages", "nurture")["maps_to"] = {"Salesforce": "Nurture"}

    assert lines(folders(edit)) == [
        "Role Account Executive (account-executive) business_hours.timezone: none → local",
        "Role Account Executive (account-executive) goal 'deals' added",
        "Stage 'Nurture' (nurture) maps_to: none → Salesforce: Nurture",
        "3 changes",
    ]


def test_allow_is_not_a_change(folders: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry(data, "roles", "account-executive")["allow"] = ["bottleneck"]

    assert folders(edit).stdout == "no changes\n"
