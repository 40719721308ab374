"""``/greenroom team [group]``."""

from __future__ import annotations

from tests.scenarios.workspace import ALICE, CAROL, NOBODY, Workspace


def test_team_page_shows_people_parents_contacts_and_what_it_owns(workspace: Workspace) -> None:
    reply = workspace.ask("team payments", user=CAROL)
    text = workspace.text(reply)
    assert "Payments team" in text and "Takes the money." in text
    assert "Part of:* `group:acme`" in text
    assert "Members (2)" in text and "<@U0BOB>" in str(reply["blocks"])
    assert "#C0PAYMENTS" in text and "Wiki (https://wiki.acme.example/payments)" in text
    assert "1 API" in text and "3 components" in text and "1 domain" in text
    assert "*Components (3)*" in text and "component:legacy-batch" in text


def test_team_of_an_organisation_lists_sub_teams(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("team acme"))
    assert "Sub-teams:* `group:lonely`, `group:payments`, `group:search`" in text
    assert "Owns:* _nothing in the catalog_" in text


def test_team_prefers_the_group_when_a_component_shares_its_name(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("team search"))
    assert "`group:search`" in text and "Members (1)" in text


def test_team_of_a_component_says_it_is_not_a_team(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("team payments-api"))
    assert "component:payments-api is a component, not a team" in text


def test_team_without_a_name_shows_the_callers_team(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("team", user=ALICE))
    assert "Payments team" in text and "Members (2)" in text


def test_team_without_a_name_for_an_unmapped_caller_asks_for_a_name(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("team", user=NOBODY))
    assert "can't tell which teams are yours" in text


def test_team_lists_each_team_of_someone_in_several(serve_greenroom, write_catalog) -> None:  # type: ignore[no-untyped-def]
    write_catalog(
        """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: red}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: blue}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {name: alice}
        spec: {profile: {email: alice@acme.example}, memberOf: [red, blue]}
        """
    )
    workspace = serve_greenroom()
    text = workspace.text(workspace.ask("team", user=ALICE))
    assert "Your 2 teams" in text and "`group:red`" in text and "`group:blue`" in text
