"""One module per user-facing capability, each a thin Slack surface."""
