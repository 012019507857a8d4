"""The edges that touch files and devices: media, camera, result files, history, threads, voice."""
