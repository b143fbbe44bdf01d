"""pytest hooks of the stabilization features (server lock, process sweep, leak detection)."""
