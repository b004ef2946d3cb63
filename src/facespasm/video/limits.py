"""The bounds of an analysis that every caller shares: frame size and recording length.

A module of plain numbers, so that the command line can show the defaults without importing
numpy, PyAV or MediaPipe.
"""

from __future__ import annotations

# Frames are delivered at most this large (longer side, pixels). The face mesh looks at the face
# at 192 px whatever the frame's size, so a larger frame costs it little (5.2 against 4.4 ms a
# frame for 1080p against 720p), while scaling a frame down in swscale costs more than the
# saving (1080p to 720p: 3.8 ms a frame against 1.0 ms to convert it at its own size): a phone's
# 1080p video is analysed 17% faster unscaled (bench/RESULTS.md, issue 15). 4K and larger are
# scaled down, for memory (a 4K RGB frame is 25 MB, 8K 100 MB).
DEFAULT_MAX_SIDE = 1920
# Frames smaller than this hold too few pixels per face for landmarks; larger ones only cost
# time and memory.
MAX_SIDE_RANGE = (64, 4096)
MAX_CAMERA_SECONDS = 600.0
