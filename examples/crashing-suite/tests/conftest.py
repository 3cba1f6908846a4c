import pytest


@pytest.fixture(scope="session")
def catalogue():
    """A session-wide resource, set up once."""
    return {"apples": 3, "pears": 5}
