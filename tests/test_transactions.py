"""`lib.transactions.rolled_back`: the block's writes are undone, its errors come out."""

import pytest

from mss_tracker.lib.transactions import rolled_back
from mss_tracker.tracker.models import Source


def test_it_undoes_what_the_block_wrote(db):
    with rolled_back():
        Source.objects.create(publisher="UN News")
        assert Source.objects.count() == 1
    assert Source.objects.count() == 0


def test_it_raises_what_the_block_raised_after_undoing_it(db):
    with pytest.raises(ValueError, match="refused"), rolled_back():
        Source.objects.create(publisher="UN News")
        raise ValueError("refused")
    assert Source.objects.count() == 0
