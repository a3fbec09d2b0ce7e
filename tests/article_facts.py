"""Expected text of the BISI article, typed in from the file (shared by several test modules)."""

from __future__ import annotations

FORECAST_BULLETS = [
    "China is unlikely to publicly voice complaints regarding the pact, but may be slightly more "
    "tentative regarding involvement with North Korea.",
    "China, too, has a history of being less approving of the war in Ukraine than Putin would like. "
    "Though China and Russia will remain allies, Russia may feel abandoned over Chinese hesitation "
    "regarding further support, and may come to see North Korea as their primary regional ally.",
    "Though South Korea had previously voiced a desire to keep relations friendly with "
    "Moscow–including tip-toeing over financial aid to Ukraine– this meeting may change that "
    "sentiment; Seoul is likely to be angered by the agreement.",
    "The U.S. will likely seek to strengthen partnerships within Asia to counter Russian "
    "maneuvering. The coming November election, however, will impact this, especially if former "
    "President Donald Trump is elected.",
]
