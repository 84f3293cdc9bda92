"""Article Q&A bot: answers questions about a news article with a cited quote.

The core (facts, matching, replies, CLI) never imports discord.py; only `bot.client`
and `bot.exts` do.
"""

__version__ = "0.1.0"
