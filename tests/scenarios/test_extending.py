"""Capabilities plug in through ``register(app, deps)``: a subcommand on the router, a Home
section, their own interaction handlers; the framework handles their errors the same way."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App

from bot import blocks as bk
from bot.deps import Deps
from bot.features import FEATURES
from bot.home import HomeContext
from bot.replies import Reply
from bot.router import Ask
from catalog import EntityNotFound
from tests.scenarios.workspace import ALICE, Workspace


def docs_feature(app: App, deps: Deps) -> None:
    """A capability as a later feature would write it."""

    def answer_docs(ask: Ask) -> Reply:
        name = ask.options().rest
        if name == "missing":
            raise EntityNotFound("missing", ["component:payments-api"])
        text = f"Docs for {name} by {ask.caller.person.display_name if ask.caller.person else '?'}"
        lines = tuple(f"page {i}" for i in range(45))
        return Reply(text, (bk.section(bk.escape(text)),), lines)

    def open_modal(ask: Ask) -> None:
        ask.client.views_open(
            trigger_id=ask.trigger_id,
            view={
                "type": "modal",
                "callback_id": "docs.new",
                "title": bk.plain("New docs"),
                "blocks": [],
            },
        )

    def coverage(home: HomeContext) -> list[bk.Block]:
        return [bk.section(f"*Docs coverage* for {len(home.owned)} entities")]

    def broken(home: HomeContext) -> list[bk.Block]:
        raise RuntimeError("k8s is down")

    def on_submit(ack: Ack) -> None:
        ack(response_action="errors", errors={"title": "A title is required"})

    deps.router.add(
        "docs", answer_docs, summary="Docs", usage="docs <entity>", examples=("docs {component}",)
    )
    deps.router.add("newdocs", open_modal, summary="Start docs", usage="newdocs")
    deps.home.add_section("docs", coverage, order=40)
    deps.home.add_section("k8s", broken, order=35)
    app.view("docs.new")(on_submit)


def test_a_registered_subcommand_is_answered_paged_and_listed_in_help(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(features=(*FEATURES, docs_feature))
    reply = workspace.ask("docs payments-api", user=ALICE)
    text = workspace.text(reply)
    assert "Docs for payments-api by Alice Archer" in text and "Showing 1-20 of 45" in text
    assert workspace.buttons(reply) == ["Show more", "Share in channel"]
    help_text = workspace.text(workspace.ask("help"))
    assert "*docs* — Docs" in help_text and "/greenroom docs checkout" in help_text


def test_not_found_in_a_registered_subcommand_becomes_did_you_mean(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(features=(*FEATURES, docs_feature))
    reply = workspace.ask("docs missing")
    answer = workspace.reply(workspace.click(reply, "component:payments-api"))
    assert "Docs for component:payments-api" in workspace.text(answer)


def test_a_subcommand_that_opens_a_modal_and_its_submission(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(features=(*FEATURES, docs_feature))
    sent = workspace.command("newdocs")
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
    workspace = serve_greenroom(features=(*FEATURES, docs_feature))
    workspace.slack.fail("views.open", status=500, times=None)
    reply = workspace.ask("newdocs")
    assert "Slack returned an error while I was answering (internal_error)" in workspace.text(reply)


def test_home_sections_are_ordered_and_one_failing_does_not_hide_the_rest(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(features=(*FEATURES, docs_feature))
    text = workspace.view_text(workspace.open_home(ALICE))
    assert "The k8s section could not load." in text
    assert "*Docs coverage* for 7 entities" in text
    assert text.index("Catalog problems") < text.index("k8s section") < text.index("Docs coverage")


def test_a_name_taken_twice_is_a_bug_caught_at_startup(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    def clash(app: App, deps: Deps) -> None:
        deps.router.add("owners", lambda ask: None, summary="x", usage="x")

    try:
        serve_greenroom(features=(*FEATURES, clash))
    except ValueError as error:
        assert "'owners' is already registered" in str(error)
    else:
        raise AssertionError("a duplicate subcommand name was accepted")
