"""Staff accounts of the console and their API tokens."""
