"""What the collaboration app contributes through the spine (see core/spine.py)."""
