import sys

from playground.exercises.cli import main

sys.exit(main())
