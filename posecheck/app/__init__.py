"""The front ends' engines: scoring recorded media and the live loop."""
