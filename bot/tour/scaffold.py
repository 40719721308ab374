"""Tour step: create a service from a shipped template, published to a local bare git
repository (``scaffolder.remote_url_template``, under ``data_dir/git``), and find it in the
catalog at once: scaffolding registers it without waiting for a sync."""

from __future__ import annotations

from bot.cli.scaffold_view import StepPrinter, print_result
from bot.tour import Tour
from catalog import GreenroomError
from catalog.lookup import find_entity

__all__ = ["NEW_SERVICE", "scaffold_service"]

NEW_SERVICE = "gift-cards"
_TEMPLATE = "python-service"


def scaffold_service(tour: Tour) -> None:
    """Scaffold ``gift-cards`` as the guide (once: a later demo finds it already there)."""
    tour.title(f"greenroom demo: a new service from the {_TEMPLATE} template")
    if tour.guide is None:
        tour.fail("scaffold", "nobody on payments-api's team to scaffold as")
        return
    runtime = tour.runtime
    try:
        find_entity(runtime.catalog, NEW_SERVICE)
    except GreenroomError:
        pass
    else:
        tour.say(f"{NEW_SERVICE} was scaffolded by an earlier demo; here it is again.")
        tour.ask(f"owner {NEW_SERVICE}")
        return
    scaffolder = runtime.scaffolder
    values = {"name": NEW_SERVICE, "description": "Sells, redeems and refunds gift cards"}
    try:
        result = scaffolder.run(
            _TEMPLATE,
            values,
            scaffolder.caller(tour.guide),
            trigger="demo",
            progress=StepPrinter(tour.err),
        )
    except GreenroomError as error:
        tour.fail("scaffold", error.user_message)
        return
    print_result(tour.out, result)
    tour.ask(f"owner {NEW_SERVICE}")
