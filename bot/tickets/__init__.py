"""The ticket store: support requests taken by the bot, triaged by staff in the console."""
