"""The token-authenticated JSON API, /api/v1."""
