"""The Slack kit: what every capability builds its Slack surface with.

Block Kit builders and escaping, replies and paging, the subcommand router and grammar,
modals, the Home tab and team-page registries, the caller resolver, metrics and the Web API
client. It imports no capability and nothing of ``bot/``."""
