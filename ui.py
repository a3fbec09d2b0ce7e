"""Open the analyst chat in the browser: `python ui.py` (indexes corpus/ first).

Settings come from ASSISTANT_* environment variables or assistant.toml; see the README.
"""

from __future__ import annotations

import sys

from assistant import Assistant, AssistantError


def main() -> int:
    try:
        bot = Assistant()
        report = bot.ingest()
        print(report.summary())
        for path, problem in report.failed.items():
            print(f"skipped {path}: {problem}", file=sys.stderr)
        from assistant.webapp import launch

        launch(bot)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
