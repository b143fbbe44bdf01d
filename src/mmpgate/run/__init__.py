"""Running the groups: the project's configuration and the per-group pytest runner."""
