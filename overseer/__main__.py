from __future__ import annotations

from overseer.cli import main

if __name__ == "__main__":
    main()
