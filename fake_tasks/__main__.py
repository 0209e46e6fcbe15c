"""`python -m fake_tasks`: the command line."""

from fake_tasks.cli import main

raise SystemExit(main())
