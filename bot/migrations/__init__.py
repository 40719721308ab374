"""Tech migrations in Slack: progress and leaderboards, digests and their subscriptions,
nudges, and the catalog-quality report."""
