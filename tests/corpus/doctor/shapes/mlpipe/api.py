"""The serving entry point: the port comes from the caller."""

import mlflow
import uvicorn
from fastapi import FastAPI

app = FastAPI()


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app (a product default, not a test's fixed port)."""
    uvicorn.run(app, host=host, port=port)


def configure(tracking_uri: str) -> None:
    """Product start-up points the client at its store: the product's business."""
    mlflow.set_tracking_uri(tracking_uri)
