"""How Alembic runs here: on the connection :mod:`bot.storage.schema` hands it, in that connection's transaction.

The caller holds the upgrade lock and commits; Alembic only runs the revisions
(or, for ``db revision``, compares the database with the tables in ``bot/storage/sql.py``).
"""

from alembic import context

from bot.storage.sql import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=context.config.attributes.get("metadata", metadata),
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table instead
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
