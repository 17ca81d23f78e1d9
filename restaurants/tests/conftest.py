from pathlib import Path

import pytest

from restaurants.cache import local_cache_clear

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "seoul_restaurants_sample.csv"
# What the sample holds (see the fixture file): 31 rows.
SAMPLE_OPEN_NEAR = 25
SAMPLE_CLOSED = 4
SAMPLE_FAR = 1
SAMPLE_INVALID = 1


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    # The per-process copy outlives each test's database rollback: start every test without it.
    local_cache_clear()
    yield
    local_cache_clear()


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
