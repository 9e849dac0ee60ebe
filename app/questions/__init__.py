"""Consumer questions: the evening service desk's public intake and its staff queue."""
