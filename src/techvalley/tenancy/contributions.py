"""What the tenancy app contributes through the spine (see core/spine.py)."""
