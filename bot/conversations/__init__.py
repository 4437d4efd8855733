"""Partners' conversations as Rasa's tracker store keeps them: transcripts for staff, retention."""
