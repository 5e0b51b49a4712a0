"""Staff administration (admin role): the one implementation the desk, the CLI and scripts share."""
