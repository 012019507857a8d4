"""The core: landmarks, one person's frame, geometry and the body as a whole. Plain numpy."""
