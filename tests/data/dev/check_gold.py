#!/usr/bin/env python3
"""Check the development set's gold annotation against its documents, with the held-out set's checker (the same
checks; the documents are those in the folder named like the gold file).

    python tests/data/dev/check_gold.py [tests/data/dev.gold.jsonl]
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    checker = runpy.run_path(str(HERE.parent / "holdout" / "check_gold.py"))
    sys.exit(checker["check"](Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "dev.gold.jsonl"))
