"""The ai tests use the fake_api fixture from tests/conftest.py."""
