"""Assignment rules: who owns a lead that nobody named an owner for."""
