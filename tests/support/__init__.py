"""What many test modules share: settings for a test, (later) the server launcher and the ticket factory."""
