"""Who owns an entity: the owning Group (with members and parents) or User, plus the System
and Domain the entity belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.groups import Person, Team, person_of, team_of
from catalog.refs import EntityRef
from catalog.relations import OWNED_BY, PART_OF
from catalog.store import Catalog, EntitySummary, StoredEntity

__all__ = ["Ownership", "owner_of"]


@dataclass(frozen=True, slots=True)
class Ownership:
    """The answer to "who owns this?"; ``owner_ref`` may point at nothing (dangling)."""

    entity: StoredEntity
    owner_ref: EntityRef | None
    team: Team | None
    person: Person | None
    system: EntitySummary | None
    domain: EntitySummary | None

    @property
    def owner_exists(self) -> bool:
        return bool((self.team and self.team.exists) or (self.person and self.person.exists))

    @property
    def lifecycle(self) -> str | None:
        return self.entity.entity.spec_str("lifecycle")


def owner_of(catalog: Catalog, stored: StoredEntity) -> Ownership:
    """Owner, system and domain of an entity."""
    rels = catalog.relations(stored.ref, types={OWNED_BY, PART_OF})
    owner = next((r.target for r in rels if r.type == OWNED_BY), None)
    team = person = None
    if owner is not None and owner.kind == "user":
        found = catalog.get(owner)
        person = person_of(found) if found else Person(owner, owner.name, exists=False)
    elif owner is not None:
        team = team_of(catalog, owner, with_children=False)

    system = next((r.target for r in rels if r.type == PART_OF and r.target.kind == "system"), None)
    if stored.ref.kind == "system":
        system = stored.ref
    domain = None
    if system is not None:
        domain_rels = catalog.relations(system, types={PART_OF})
        domain = next((r.target for r in domain_rels if r.target.kind == "domain"), None)
    elif stored.ref.kind == "domain":
        domain = stored.ref
    summaries = catalog.summaries([r for r in (system, domain) if r is not None])
    return Ownership(
        entity=stored,
        owner_ref=owner,
        team=team,
        person=person,
        system=summaries.get(system) if system and system != stored.ref else None,
        domain=summaries.get(domain) if domain and domain != stored.ref else None,
    )
