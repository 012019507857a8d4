from posecheck.cli.app import entry

entry()
