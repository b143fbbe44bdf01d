"""A tiny model service: train a line, serve predictions, track runs in MLflow."""
