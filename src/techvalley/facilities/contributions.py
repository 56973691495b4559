"""What the facilities app contributes through the spine (see core/spine.py)."""
