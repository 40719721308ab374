"""The worker process: APScheduler schedules, exactly-once claims, job bodies."""
