"""pytest fixtures giving each test an isolated MLflow tracking store."""
