"""What operations contribute through the spine (health endpoints, backups)."""
