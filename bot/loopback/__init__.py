"""A loopback Slack Web API (real HTTP on 127.0.0.1) for the local console, the demo and tests."""
