"""Alembic's scripts for the bot's schema: ``env.py`` and one file per revision in ``versions/``.

They ship inside the package, so an installed or Heroku deployment finds them;
:mod:`bot.storage.schema` configures Alembic in code (no ``alembic.ini``).
"""
