from harcors.cli import run

run()
