"""An ML pipeline product package, next to tests/ (not under src/)."""
