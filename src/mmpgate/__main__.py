"""`python -m mmpgate`."""

import sys

from mmpgate.cli import main

sys.exit(main())
