import sys

from .cli import main

# Guarded: the reading workers (index.isolation) import the main module when they start.
if __name__ == "__main__":
    sys.exit(main())
