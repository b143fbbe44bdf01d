"""Subcommands of the mmpgate CLI."""
