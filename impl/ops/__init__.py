"""Op implementations; impl/__init__.py re-exports them under torch's names."""
