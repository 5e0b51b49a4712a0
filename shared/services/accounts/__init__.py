"""Use cases of accounts and their life cycle: load through storage, decide with rules, commit once."""
