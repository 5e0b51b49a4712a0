"""Finding accounts at the desk: how a search term is read and normalised (pure)."""
