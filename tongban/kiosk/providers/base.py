"""What a card reader is: the card on it now, or none.

Every provider answers in these shapes; ``services`` never sees a reader's own format.
"""

from dataclasses import dataclass


class ReaderError(Exception):
    """The reader did not answer, or refused the request (bad signature, not configured)."""


@dataclass(frozen=True)
class Card:
    read_id: str  # one placement of a card on the reader
    name: str
    id_number: str

    def __repr__(self):  # never the number in logs
        return f"Card(read_id={self.read_id!r})"


class CardReader:
    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = options

    def read(self, terminal) -> Card | None:
        raise NotImplementedError
