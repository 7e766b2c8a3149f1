"""What a workspace stored, read back as the app reads it (snapshot.connect): for the ingest tests."""

from journeylens.notebooks.workspace.snapshot import connect


def rows(workspace, sql: str, params=None) -> list:
    """The rows of one query on a fresh snapshot of the workspace."""
    con = connect(workspace)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def records(workspace, sql: str, params=None) -> list[dict]:
    """The same rows as dicts by column name."""
    con = connect(workspace)
    try:
        cursor = con.execute(sql, params or {})
        found = cursor.fetchall()
        names = [d[0] for d in cursor.description]
    finally:
        con.close()
    return [dict(zip(names, row, strict=True)) for row in found]


def write_csv(path, header: list, rows) -> object:
    """Writes dict rows to a CSV file with `header` (a missing column is empty); returns the path."""
    import csv

    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for row in rows:
            out.writerow([row.get(c, "") for c in header])
    return path
