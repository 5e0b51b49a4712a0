"""End-to-end tests: a real browser (headless Chromium) against the local server."""
