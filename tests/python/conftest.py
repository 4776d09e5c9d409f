"""Shared fixtures of the Python suite (run by ctest's python test with
PYTHONPATH=<build>/python; see tests/CMakeLists.bindings.cmake)."""

import os
import pathlib

import pytest

import rootly

FIXTURES = pathlib.Path(os.environ.get(
    "ROOTLY_TEST_FIXTURES", pathlib.Path(__file__).resolve().parent.parent / "fixtures"))


@pytest.fixture
def fixtures():
    return FIXTURES


@pytest.fixture
def ctx():
    with rootly.Context("memory:", actor="pytest") as c:
        yield c
