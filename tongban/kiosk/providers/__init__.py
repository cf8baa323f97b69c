"""Card readers: how the platform asks a terminal for the ID card on its reader."""
