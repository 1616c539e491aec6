"""Write the default DOCX templates into this folder, to open in Word, review or start a custom template from.

    python doc_templates/build.py [--margins LEFT,TOP,RIGHT,BOTTOM] [OUT_DIR]

The templates are made by code (webapp/rendering/defaults.py); the application builds them in memory
at first use, so an installed package needs none of these files. They are written here so that a
change of layout shows up in review as a changed file, and a test checks they are up to date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp.rendering import defaults  # noqa: E402
from webapp.rendering.layout import Margins  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", default=str(Path(__file__).parent))
    parser.add_argument("--margins", help="millimetres, e.g. 20,20,10,20 (GOST R 7.0.97-2016 minimums)")
    args = parser.parse_args()
    margins = Margins()
    if args.margins:
        left, top, right, bottom = (float(x) for x in args.margins.split(","))
        margins = Margins(left=left, top=top, right=right, bottom=bottom)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in defaults.BUILDERS:
        (out / f"{name}.docx").write_bytes(defaults.build(name, margins))
        print(out / f"{name}.docx")


if __name__ == "__main__":
    main()
