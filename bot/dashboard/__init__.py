"""The dashboard's figures: what the assistant and the team did over a period, read from the stores they write.

Pure queries and arithmetic over the ticket store, the knowledge records and Rasa's tracker store; the console
(bot/console/dashboard) turns them into charts, tables and CSV files.
"""
