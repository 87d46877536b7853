"""`python -m assistant` runs the lawqa command line."""

from .cli import main

raise SystemExit(main())
