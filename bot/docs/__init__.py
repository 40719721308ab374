"""TechDocs in Slack and on the web: answers, coverage, unfurls and the ``/docs`` mount."""
