"""Bulk writes with one prepared statement, for imports of tens of thousands of rows."""


def insert_rows(model, columns: list[str], rows: list, ignore_conflicts: bool = False) -> None:
    """INSERT rows (sequences of values already converted for the database, in the order of `columns`) with
    one prepared statement: bulk_create without building a model instance or compiling SQL per row."""
    if not rows:
        return
    from django.db import connection
    from django.db.models.constants import OnConflict

    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    fields = [model._meta.get_field(column) for column in columns]
    sql = (f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(columns))}) "
           f"{connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or ''}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update_rows(model, columns: list[str], rows: list) -> None:
    """UPDATE rows by primary key with one prepared statement; each row holds the values of `columns`
    (converted for the database) followed by the primary key."""
    if not rows:
        return
    from django.db import connection

    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(column).column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
                           rows)
