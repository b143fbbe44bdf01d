"""Flaky tests: retries that classify, the quarantine file, and the run history."""
