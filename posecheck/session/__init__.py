"""The per-frame session every front end calls: judges, cues, the routine guide, summaries."""
