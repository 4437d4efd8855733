"""The code that runs inside the Rasa server: channels, guard, tracker store, NLU components, patches."""
