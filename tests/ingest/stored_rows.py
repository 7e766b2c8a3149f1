"""What a workspace stored, read back as the app reads it (snapshot.connect): for format tests."""

from journeylens.notebooks.workspace.snapshot import connect


def rows(workspace, sql: str, params: dict | None = None) -> list:
    con = connect(workspace)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()
