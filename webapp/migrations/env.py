"""Alembic's entry point: migrate the database that the app's DATABASE_URL names."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from webapp.core.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """Return the URL to migrate: the one passed in by webapp.core.db, else the app's own."""
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # Run as plain `alembic upgrade head`: the app's settings (DATABASE_URL or instance/).
    from webapp import create_app

    return create_app().config["DATABASE_URL"]


def configure(**kwargs) -> None:
    """Configure the migration context the same way online and offline."""
    url = kwargs.pop("url", None) or database_url()
    context.configure(
        url=url if "connection" not in kwargs else None,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
        **kwargs,
    )


def run_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    configure(literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on a connection of their own, or on the one passed in."""
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection=connection, url=str(connection.engine.url))
        with context.begin_transaction():
            context.run_migrations()
        return
    url = database_url()
    # A plain engine on purpose: the app turns SQLite's foreign keys on, and a batch
    # migration that drops and recreates a table would then cascade-delete the rows
    # that point at it.
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            configure(connection=connection, url=url)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
