"""Configuration files: safe YAML/TOML reading, JSON types, the shipped schemas."""
