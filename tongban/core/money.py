"""Money is kept in fen (int) everywhere; this is the one place it becomes yuan text."""


def yuan(fen: int | None) -> str:
    """``4000`` → ``"40.00"``, in integers (no float touches money); ``None`` → ``""``."""
    if fen is None or fen == "":
        return ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{'-' if int(fen) < 0 else ''}{whole}.{cents:02d}"
