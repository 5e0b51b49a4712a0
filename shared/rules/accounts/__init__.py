"""The rules of accounts and their life cycle (SPEC §2, §3, §5): pure, no storage, no clock."""
