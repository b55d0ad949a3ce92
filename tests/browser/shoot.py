"""Screenshot pages of the app in headless Chromium: python tests/browser/shoot.py PAGE [PAGE ...] [--lang en]."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser import harness  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pages", nargs="+", help="page keys from ui/site.py, e.g. home sequences")
    parser.add_argument("--lang", choices=["en", "ko", "both"], default="both")
    parser.add_argument("--out", default=str(harness.ROOT / "artifacts" / "shots"))
    parser.add_argument("--query", default="", help="extra query string, e.g. lecture=true")
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    extra = dict(kv.split("=", 1) for kv in args.query.split("&") if kv)
    langs = ["en", "ko"] if args.lang == "both" else [args.lang]
    failed = False
    with harness.streamlit_server() as (base, _), harness.chromium() as browser:
        for key in args.pages:
            for lang in langs:
                page = browser.new_page(viewport={"width": args.width, "height": 900})
                harness.open_page(page, base, key, lang, **extra)
                suffix = "-" + "-".join(f"{k}{v}" for k, v in extra.items()) if extra else ""
                path = Path(args.out) / f"{key}-{lang}{suffix}.png"
                harness.full_screenshot(page, path)
                errors = harness.exceptions(page)
                print(path, "OK" if not errors else "EXCEPTION:\n" + "\n".join(errors))
                failed |= bool(errors)
                page.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
