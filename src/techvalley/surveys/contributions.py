"""What the surveys app contributes through the spine (see core/spine.py)."""
