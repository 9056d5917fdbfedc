"""``python -m khcadre_sim.whatif [--data DIR] [--scenario FILE] [--port 5006] [--lang vi|en]``:
the what-if page on http://127.0.0.1:PORT (see :mod:`.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
