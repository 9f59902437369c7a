"""Small SQL expressions shared by selectors."""

from django.db.models import FloatField, Func


class Epoch(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float: thousands of rows come back
    as numbers instead of parsed datetimes (the slot search reads every appointment of a
    month; parsing their datetimes cost more than the query). SQLite's julianday is exact to
    about a tenth of a millisecond; callers round to the millisecond."""

    output_field = FloatField()
    # EXTRACT answers numeric since PostgreSQL 14: a double comes back as a plain float.
    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        )
