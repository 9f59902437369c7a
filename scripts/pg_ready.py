"""Exit 0 when the PostgreSQL server in the given URL accepts a connection, else 1."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    """Try one short connection to the maintenance database."""
    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=int(cfg["PORT"] or 5432),
            user=cfg["USER"] or "postgres",
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
