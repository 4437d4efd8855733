"""The dashboard page: the figures of bot.dashboard as SVG charts, each with its table and its CSV file."""
