"""`python -m api` runs the zoneatlas command."""

from api.cli import main

main()
