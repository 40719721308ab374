"""``whoami``: the catalog user and teams Slack maps the caller to, and how to fix it if none."""

from __future__ import annotations

from slack_bolt import App

from catalog.groups import ancestors, groups_of_user, users_with_email
from slackkit import blocks as bk
from slackkit.catalog_blocks import ref_text
from slackkit.deps import Deps
from slackkit.replies import Reply
from slackkit.router import Ask
from slackkit.users import BY_EMAIL_AND_ID

__all__ = ["register"]


def register(app: App, deps: Deps) -> None:
    """Add the ``whoami`` subcommand."""

    def answer_whoami(ask: Ask) -> Reply:
        caller = ask.caller
        email = bk.escape(caller.email) if caller.email else "_none that I can see_"
        lines = [f"*Slack:* {bk.mention(caller.user_id)} · email {email}"]
        if caller.problem:
            lines.append(
                f":warning: Slack did not tell me who you are ({bk.escape(caller.problem)}); "
                "I will ask again next time."
            )
        person = caller.person
        if person is None:
            lines.append(
                "*Catalog user:* _none_. I match a Slack account to the User entity whose "
                "`spec.profile.email` is its Slack email; add yours to your User entity."
            )
            namesakes = users_with_email(deps.catalog, caller.email) if caller.email else []
            if len(namesakes) > 1:
                refs = ", ".join(ref_text(p.ref) for p in namesakes[:5])
                lines.append(
                    f"Several catalog users have your email ({refs}): give yours the "
                    f"annotation {bk.code('slack.com/user_id: ' + caller.user_id)}."
                )
            return Reply(
                "You are not matched to a catalog user",
                (bk.section("\n".join(lines)),),
                shareable=False,
            )
        how = "your email and Slack id" if caller.mapped_by == BY_EMAIL_AND_ID else "your email"
        lines.append(
            f"*Catalog user:* *{bk.escape(person.display_name)}* {ref_text(person.ref)} "
            f"(matched by {how})"
        )
        teams = groups_of_user(deps.catalog, person.ref)
        for team in teams[:20]:
            chain = ancestors(deps.catalog, team)
            above = (" → " + " → ".join(ref_text(r) for r in chain[:5])) if chain else ""
            lines.append(f"• {ref_text(team)}{above}")
        if not teams:
            lines.append("*Teams:* _none in the catalog_")
        if deps.is_admin(caller):
            lines.append("You are a greenroom admin.")
        return Reply(
            f"You are {person.display_name}", (bk.section("\n".join(lines)),), shareable=False
        )

    deps.router.add(
        "whoami",
        answer_whoami,
        summary="Which catalog user and teams your Slack account maps to",
        usage="whoami",
        examples=("whoami",),
        aliases=("me",),
    )
