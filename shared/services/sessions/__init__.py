"""Web sessions for any scope: the staff desk now (shared/services/sessions/desk.py), the customer pages later."""
