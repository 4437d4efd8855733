"""Public pages: the partners' chat widget page, health check, socket.io client."""
