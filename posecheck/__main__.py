from posecheck.cli.app import entry

# Guarded: a batch's worker processes (multiprocessing's "spawn") import this module again.
if __name__ == "__main__":
    entry()
