"""Shared fixtures: offline model hub, fixed seeds, the real data sets of ../shared."""

import os
from pathlib import Path

import pytest

# Tests never reach a model hub: everything they load is local.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SKINFLUENCE_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_dataset(name: str) -> Path:
    """Path of a real data set in ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(
            f"real data set {name!r} not found at {path}: these tests need the project's "
            "../shared/data folder beside the repository (or SKINFLUENCE_SHARED_DATA)"
        )
    return path


@pytest.fixture
def shared_data():
    """A function: ``shared_data("peerindex")`` -> Path, skipping when absent."""
    return shared_dataset


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One OpenMP/BLAS thread: on 2 shared cores, small gradient-boosting and BLAS calls
    spin-wait and run several times slower with two threads (results are identical)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
