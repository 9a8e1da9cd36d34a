"""Reading the database password from a file (DATABASE_PASSWORD_FILE). Kept apart from the
backend, which imports Django's database layer, so that settings can check the file at startup."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def read_password(path: str) -> str:
    """The file's content without the trailing newline that editors and `echo` add."""
    try:
        password = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ImproperlyConfigured(
            f"DATABASE_PASSWORD_FILE {path} cannot be read: {reason}"
        ) from None
    if not password:
        raise ImproperlyConfigured(f"DATABASE_PASSWORD_FILE {path} is empty")
    return password
