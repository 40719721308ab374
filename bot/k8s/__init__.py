"""Kubernetes health in Slack: the answer and badges, and the sweep's alerts to team channels."""
