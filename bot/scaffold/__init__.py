"""The scaffolding modal in Slack: its views, steps and runs, and the scaffolder built
from settings."""
