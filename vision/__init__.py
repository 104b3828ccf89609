"""Pure image analysis: a BGR photo of a post-it wall in, a ranked Board out.

    board = vision.tally(image)            # find notes, count dots, rank
    picture = vision.annotate(image, board)
    note_picture = vision.crop(image, board.notes[0])

Imports numpy and cv2 only; never reads files or logs.
"""

from vision.annotate import annotate
from vision.board import DOT_COLOURS, NOTE_COLOURS, Board, Dot, Note, rank_notes, reading_order
from vision.crop import crop
from vision.params import Params
from vision.pipeline import tally

__all__ = [
    "DOT_COLOURS",
    "NOTE_COLOURS",
    "Board",
    "Dot",
    "Note",
    "Params",
    "annotate",
    "crop",
    "rank_notes",
    "reading_order",
    "tally",
]
