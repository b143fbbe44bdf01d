"""The HTTP API: train, predict, list predictions."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from ml_service.settings import Settings
from ml_service.store import Prediction, Store
from ml_service.tracking import train_and_log


class TrainRequest(BaseModel):
    xs: list[float]
    ys: list[float]


class PredictRequest(BaseModel):
    x: float


def create_app(settings: Settings) -> FastAPI:
    """The service bound to one database and one MLflow tracking URI."""
    app = FastAPI(title="ml-service")
    store = Store(settings.database)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/train")
    def train(request: TrainRequest) -> dict[str, object]:
        try:
            line, run_id = train_and_log(
                request.xs,
                request.ys,
                tracking_uri=settings.tracking_uri,
                experiment=settings.experiment,
            )
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        version = store.add_model(line, run_id)
        return {
            "version": version,
            "run_id": run_id,
            "slope": line.slope,
            "intercept": line.intercept,
        }

    @app.post("/predict")
    def predict(request: PredictRequest) -> dict[str, float | int]:
        latest = store.latest_model()
        if latest is None:
            raise HTTPException(status_code=409, detail="no model trained yet")
        version, line = latest
        y = line.predict(request.x)
        store.add_prediction(Prediction(version=version, x=request.x, y=y))
        return {"version": version, "y": y}

    @app.get("/predictions")
    def predictions() -> list[dict[str, float | int]]:
        return [{"version": p.version, "x": p.x, "y": p.y} for p in store.predictions()]

    return app
