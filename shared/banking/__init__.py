"""Adapters for the bank's file formats (ISO 20022): reading statements, writing direct-debit files."""
