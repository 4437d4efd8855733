"""Ticket triage pages: the queue, its CSV export, a ticket and its changes."""
