"""The processes behind the assistant: file locations, the Rasa model, the stack, the tracker store."""
