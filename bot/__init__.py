"""The Slack app shell: settings, app factory, entry points, CLI and local console."""
