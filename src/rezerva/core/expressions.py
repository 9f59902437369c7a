"""Small SQL expressions and a raw-row read shared by selectors."""

from django.db import connection
from django.db.models import FloatField, Func, QuerySet


def fetch_rows(queryset: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as the driver returns them, without the ORM's per-row
    converters: for hot reads of thousands of numbers (ids, Epoch values) only."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Epoch(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float: thousands of rows come back
    as numbers instead of parsed datetimes (the slot search reads every appointment of a
    month; parsing their datetimes cost more than the query). SQLite's julianday is exact to
    about a tenth of a millisecond, so it is rounded to the millisecond there."""

    output_field = FloatField()
    # EXTRACT answers numeric since PostgreSQL 14: a double comes back as a plain float.
    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            # julianday is exact to about 0.1 ms: rounded to the millisecond, touching ends
            # compare equal again.
            template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0, 3)",
        )
