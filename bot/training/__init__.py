"""Training the model from the knowledge base, and measuring it."""
