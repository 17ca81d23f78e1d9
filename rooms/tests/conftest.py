import pytest

from rooms.cache import _bump_generation


@pytest.fixture(autouse=True)
def _fresh_board_cache():
    # The cache outlives each test's rolled-back database: start every test on a new generation.
    _bump_generation()
