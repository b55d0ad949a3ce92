"""Warm a freshly started replica before it takes visitors: python scripts/warm.py http://127.0.0.1:PORT.

A replica's first script runs import the pages' modules and load the chapter's data (seconds of CPU); when a
class joins at once, the first students would wait for that. scripts/serve.sh runs this on each replica, over
Streamlit's own websocket (one session, a few pages in both languages), before HAProxy sends anyone to it."""
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.wsclient import warm  # noqa: E402

PAGES = ("home", "sequences", "pipeline", "class_session")     # pipeline loads the chapter's data


def main():
    try:
        asyncio.run(asyncio.wait_for(warm(sys.argv[1], PAGES), 120))
    except Exception as e:           # a cold replica still serves: warming is a help, never a reason to stop
        print(f"warm.py: {sys.argv[1]} not warmed: {type(e).__name__}: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
