"""``python -m platedigits`` runs the command line."""

from platedigits.cli import main

main()
