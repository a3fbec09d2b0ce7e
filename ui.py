"""Open the analyst chat in the browser: `python ui.py` (indexes corpus/ first).

Settings come from ASSISTANT_* environment variables or assistant.toml; see the README.
"""

from __future__ import annotations

import sys

from assistant import Assistant, AssistantError
from assistant.config import use_offline_environment


def main() -> int:
    use_offline_environment()  # before the model and Gradio are imported
    try:
        # --insecure (or ASSISTANT_INSECURE=true) allows a non-loopback host without ASSISTANT_AUTH.
        bot = Assistant(insecure=True) if "--insecure" in sys.argv[1:] else Assistant()
        from assistant.limits import require_login_to_expose

        require_login_to_expose(bot.settings.host, bot.settings)  # refuse before indexing, not after
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
