"""Admin pages for console accounts and API tokens."""
