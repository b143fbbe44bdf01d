"""Training runs logged to MLflow."""

from __future__ import annotations

from collections.abc import Sequence

import mlflow

from ml_service.model import Line, fit, mean_squared_error


def train_and_log(
    xs: Sequence[float], ys: Sequence[float], *, tracking_uri: str, experiment: str
) -> tuple[Line, str]:
    """Fit a line, log its parameters and error to MLflow; return the line and the run id."""
    line = fit(xs, ys)
    client = mlflow.MlflowClient(tracking_uri)
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.log_param(run_id, "points", len(xs))
    client.log_metric(run_id, "slope", line.slope)
    client.log_metric(run_id, "intercept", line.intercept)
    client.log_metric(run_id, "mse", mean_squared_error(line, xs, ys))
    client.set_terminated(run_id)
    return line, run_id
