"""Tests of the clinic server: accounts, sessions, shares, audit, operations."""
