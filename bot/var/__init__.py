"""What the processes keep in the var folder (HELPDESK_VAR_DIR): the folder itself, private, and shared tokens."""
