"""``python -m analyzer`` runs the policydiff command."""

from .cli import main

main()
