"""Database backends of the portal (see postgresql/base.py)."""
