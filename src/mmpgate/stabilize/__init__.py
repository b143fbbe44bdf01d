"""Stabilization machinery: locks, servers, processes and isolated MLflow tracking."""
