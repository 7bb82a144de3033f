from __future__ import annotations

import sys

from overseer.cli import main

if __name__ == "__main__":
    sys.exit(main())
