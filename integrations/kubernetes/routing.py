"""Which Slack channel hears about a service: its owning team's ``slack.com/channel``
annotation, else the ``team_channels`` mapping, else the same for the parent groups (a squad
without a channel reports to its tribe), else ``default_channel``."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog import Catalog, EntityRef
from catalog.annotations import SLACK_CHANNEL
from catalog.groups import ancestors
from catalog.relations import OWNED_BY
from integrations.kubernetes.config import KubernetesSettings

__all__ = ["ChannelRouter"]


@dataclass
class ChannelRouter:
    """Finds owners and their channels, remembering each group's answer for one sweep."""

    catalog: Catalog
    settings: KubernetesSettings
    _channels: dict[EntityRef, str | None] = field(default_factory=dict)

    def route(self, entity: EntityRef) -> tuple[EntityRef | None, str | None]:
        """The entity's owner and the channel to tell (None when nobody is configured)."""
        owner = next((r.target for r in self.catalog.relations(entity, types={OWNED_BY})), None)
        if owner is None or owner.kind != "group":
            return owner, self.settings.default_channel
        if owner not in self._channels:
            self._channels[owner] = self._channel(owner)
        return owner, self._channels[owner] or self.settings.default_channel

    def _channel(self, group: EntityRef) -> str | None:
        chain = [group, *ancestors(self.catalog, group)]
        found = self.catalog.get_many(chain)
        for ref in chain:
            stored = found.get(ref)
            annotated = stored.entity.annotation(SLACK_CHANNEL) if stored else None
            channel = annotated or self.settings.team_channels.get(str(ref))
            if channel:
                return channel.strip()
        return None
