"""Measure the spasm: a face video in, spasm events per side and region and evidence out.

frames -> landmarks -> measures -> events -> pattern -> evidence. Heavy libraries (PyAV,
MediaPipe, matplotlib) are imported inside the modules that need them, so importing facespasm
stays fast for commands that never touch video.
"""
