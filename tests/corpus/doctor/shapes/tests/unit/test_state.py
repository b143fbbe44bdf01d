"""Process-global state the tests change: working directory, import path, logging."""

import logging
import os
import sys

import pytest


def test_reads_a_relative_data_file(tmp_path):
    os.chdir(tmp_path)  # expect: global-state-without-restore
    assert not os.path.exists("data.csv")


def test_chdir_with_monkeypatch(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)


def test_chdir_and_back(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert os.getcwd() == str(tmp_path)
    finally:
        os.chdir(old)


@pytest.fixture
def plugins_on_path(tmp_path):
    sys.path.insert(0, str(tmp_path))  # expect: global-state-without-restore
    return tmp_path


@pytest.fixture
def plugins_on_path_restored(tmp_path):
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))


@pytest.fixture
def captured_logs():
    handler = logging.StreamHandler()
    logging.getLogger("mlpipe").addHandler(handler)  # expect: global-state-without-restore
    return handler


@pytest.fixture
def captured_logs_restored():
    handler = logging.StreamHandler()
    logger = logging.getLogger("mlpipe")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_logs_with_caplog(caplog):
    logging.getLogger("mlpipe").warning("hi")
    assert "hi" in caplog.text
