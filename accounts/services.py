"""Writes on accounts: users from the 42 intra profile, profile changes."""
