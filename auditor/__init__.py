"""pgready: find what in a MySQL/MariaDB application breaks on PostgreSQL."""

__version__ = "0.1.0"
