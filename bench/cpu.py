"""CPU time used by a server and its worker processes, from /proc (Linux).

Requests per second depend on everything else the machine is doing; CPU seconds per request
barely do, and they say which process a page's cost is spent in. A server here is a parent
process (gunicorn's master, nginx's master, PostgreSQL's postmaster) and its children (workers,
backends). Children come and go (gunicorn recycles workers, PostgreSQL starts a backend per
connection), so a server's total is:

    the parent's own time + its children that exited (the kernel adds a reaped child's time to
    the parent's cutime/cstime) + every live child's own time and its exited children's.
"""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Fields after the command name, which is in parentheses and may contain spaces.
    return text.rsplit(")", 1)[1].split()


def _process_seconds(fields: list[str]) -> float:
    # utime, stime, cutime, cstime are fields 14-17 of proc(5); here 0-based after "(comm)".
    return sum(int(value) for value in fields[11:15]) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def server_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid`, its exited children and live ones."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    total = _process_seconds(fields)
    for child in children(pid):
        child_fields = _stat(child)
        if child_fields is not None:
            total += _process_seconds(child_fields)
    return total


def postmaster_pid(database_url: str) -> int:
    """The PostgreSQL server process: the parent of this connection's backend."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        return int(_stat(backend)[1])
