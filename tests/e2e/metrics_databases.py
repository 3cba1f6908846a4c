"""Throwaway metrics databases for `blackbox serve --db`: a SQLite file, or a database of its own
on a PostgreSQL server (dropped by drop()). Each has `argument` (what --db names) and reads its
rows back. Shared by the end-to-end tests and bench/serve.py."""

import sqlite3
import uuid
from pathlib import Path


class SqliteDatabase:
    """A metrics database file: what --db names, and a connection to read it back."""

    def __init__(self, path):
        self.path = Path(path)
        self.argument = str(path)

    def rows(self, sql):
        """(column names, rows) of a query."""
        with sqlite3.connect(self.path) as connection:
            cursor = connection.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()

    def count(self, table):
        return self.rows(f"SELECT count(*) FROM {table}")[1][0][0]

    def drop(self):
        """Nothing: the file lives in its caller's scratch directory."""


class PostgresDatabase(SqliteDatabase):
    """A database of its own, named PREFIX_…, on the server of `server_url`."""

    def __init__(self, server_url, prefix="blackbox_e2e"):
        import psycopg2  # python3-psycopg2 (scripts/install-deps); only where PostgreSQL is used

        self.psycopg2 = psycopg2
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.server_url = server_url
        self.argument = server_url.rsplit("/", 1)[0] + "/" + self.name
        self._admin(f"CREATE DATABASE {self.name}")

    def _admin(self, sql):
        connection = self.psycopg2.connect(self.server_url)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def rows(self, sql):
        connection = self.psycopg2.connect(self.argument)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            connection.close()

    def drop(self):
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
