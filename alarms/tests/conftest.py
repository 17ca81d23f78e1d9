import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _korean():
    """Alarm texts follow the active language; Korean is the product's own (and the API's)."""
    with translation.override("ko"):
        yield
