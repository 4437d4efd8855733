"""Staff login, logout, language, and the failed-login throttles."""
