"""Web sessions (the staff desk now, the customer pages later): their lifetime, cookies and CSRF tokens."""
