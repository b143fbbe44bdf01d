"""Tests against real servers, one at a time across workers (named so pytest never collects it)."""

import pytest
import requests

pytestmark = pytest.mark.server


def test_health(api_server):
    assert requests.get(f"{api_server}/health", timeout=5).status_code == 200


class TestPredictions:
    def test_predict(self, api_server):
        assert requests.post(f"{api_server}/predict", json={"x": 1}, timeout=5).ok
