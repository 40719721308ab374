"""Adapters to outside systems (Kubernetes, TechDocs, scaffolder). No Slack here."""
