"""The deposit fixtures (`demo`, `deposit`) live in tests/conftest.py, shared by all."""
