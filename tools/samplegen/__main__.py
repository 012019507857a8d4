"""python -m tools.samplegen [--only NAME ...] [--jobs N] [--out samples] [--preview DIR]"""
from .cli import main

main()
