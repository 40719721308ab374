"""Capabilities plug in through ``register(app, deps)``: a subcommand on the router, a Home
section, their own interaction handlers; the framework handles their errors the same way."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack

from bot.capabilities import CAPABILITIES
from catalog import EntityNotFound
from catalog.groups import Team
from commands import Setup
from slackkit import blocks as bk
from slackkit.home import HomeContext
from slackkit.replies import Reply
from slackkit.router import Ask
from tests.scenarios.workspace import ALICE, Workspace


def notes_feature(setup: Setup) -> None:
    """A capability as a later feature would write it."""
    assert setup.slack is not None
    app, deps = setup.slack.app, setup.slack.deps

    def answer_notes(ask: Ask) -> Reply:
        name = ask.options().rest
        if name == "missing":
            raise EntityNotFound("missing", ["component:payments-api"])
        text = f"Notes for {name} by {ask.caller.person.display_name if ask.caller.person else '?'}"
        lines = tuple(f"page {i}" for i in range(45))
        return Reply(text, (bk.section(bk.escape(text)),), lines)

    def open_modal(ask: Ask) -> None:
        ask.client.views_open(
            trigger_id=ask.trigger_id,
            view={
                "type": "modal",
                "callback_id": "notes.new",
                "title": bk.plain("New notes"),
                "blocks": [],
            },
        )

    def coverage(home: HomeContext) -> list[bk.Block]:
        return [bk.section(f"*Notes coverage* for {len(home.owned)} entities")]

    def broken(home: HomeContext) -> list[bk.Block]:
        raise RuntimeError("k8s is down")

    def on_submit(ack: Ack) -> None:
        ack(response_action="errors", errors={"title": "A title is required"})

    deps.router.add(
        "notes",
        answer_notes,
        summary="Notes",
        usage="notes <entity>",
        examples=("notes {component}",),
    )
    deps.router.add("newnotes", open_modal, summary="Start notes", usage="newnotes")
    deps.home.add_section("notes", coverage, order=40)
    deps.home.add_section("k8s", broken, order=35)
    app.view("notes.new")(on_submit)


def test_a_registered_subcommand_is_answered_paged_and_listed_in_help(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(capabilities=(*CAPABILITIES, notes_feature))
    reply = workspace.ask("notes payments-api", user=ALICE)
    text = workspace.text(reply)
    assert "Notes for payments-api by Alice Archer" in text and "Showing 1-20 of 45" in text
    assert workspace.buttons(reply) == ["Show more", "Share in channel"]
    help_text = workspace.text(workspace.ask("help"))
    assert "*notes* — Notes" in help_text and "/greenroom notes checkout" in help_text


def test_not_found_in_a_registered_subcommand_becomes_did_you_mean(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(capabilities=(*CAPABILITIES, notes_feature))
    reply = workspace.ask("notes missing")
    answer = workspace.reply(workspace.click(reply, "component:payments-api"))
    assert "Notes for component:payments-api" in workspace.text(answer)


def test_a_subcommand_that_opens_a_modal_and_its_submission(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(capabilities=(*CAPABILITIES, notes_feature))
    sent = workspace.command("newnotes")
    opened = workspace.slack.wait_for("views.open")[0]
    assert opened.args["trigger_id"] == sent.request.trigger_id
    submitted = workspace.post(
        workspace.requests.view_submission(opened.args["view"], user_id=ALICE)
    )
    assert submitted.json() == {
        "response_action": "errors",
        "errors": {"title": "A title is required"},
    }


def test_slack_failing_a_subcommand_call_is_told_to_the_user(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(capabilities=(*CAPABILITIES, notes_feature))
    workspace.slack.fail("views.open", status=500, times=None)
    reply = workspace.ask("newnotes")
    assert "Slack returned an error while I was answering (internal_error)" in workspace.text(reply)


def test_home_sections_are_ordered_and_one_failing_does_not_hide_the_rest(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(capabilities=(*CAPABILITIES, notes_feature))
    text = workspace.view_text(workspace.open_home(ALICE))
    assert "The k8s section could not load." in text
    assert "*Notes coverage* for 7 entities" in text
    assert text.index("Catalog problems") < text.index("k8s section") < text.index("Notes coverage")


def test_team_page_sections_follow_the_page_and_one_failing_does_not_hide_it(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    def sections(setup: Setup) -> None:
        assert setup.slack is not None
        deps = setup.slack.deps

        def members(team: Team) -> list[bk.Block]:
            return [bk.section(f"*Roll call*: {len(team.members)} people")]

        def broken(team: Team) -> list[bk.Block]:
            raise RuntimeError("pager is down")

        deps.team_page.add_section("roll-call", members, order=50)
        deps.team_page.add_section("pager", broken, order=45)

    workspace = serve_greenroom(capabilities=(*CAPABILITIES, sections))
    reply = workspace.ask("team payments")
    text = workspace.text(reply)
    assert "*Roll call*: 2 people" in text and "The pager section could not load." in text
    assert text.index("Components (3)") < text.index("pager section") < text.index("Roll call")


def test_a_name_taken_twice_is_a_bug_caught_at_startup(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    def clash(setup: Setup) -> None:
        assert setup.slack is not None
        deps = setup.slack.deps
        deps.router.add("owners", lambda ask: None, summary="x", usage="x")

    try:
        serve_greenroom(capabilities=(*CAPABILITIES, clash))
    except ValueError as error:
        assert "'owners' is already registered" in str(error)
    else:
        raise AssertionError("a duplicate subcommand name was accepted")
