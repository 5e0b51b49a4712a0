"""Human-readable documents (the invoice and credit-note PDFs): pure rendering, no storage, no clock."""
