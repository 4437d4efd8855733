"""E-mail to and from partners: the outbox every message is written to first, the worker that sends it."""
