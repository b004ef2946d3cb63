"""Video archives on Ray: `analyze_archive(folder, out)` → one Parquet row per video file.

Importing this package loads neither Ray nor pyarrow (the optional extra `facespasm[archive]`);
they are imported when a run starts.
"""

from facespasm.archive.rows import COLUMN_NAMES, analyse_file, read_results
from facespasm.archive.run import ArchiveInterrupted, ArchiveRun, analyze_archive
from facespasm.archive.videos import VIDEO_SUFFIXES, VideoFile, file_sha256, find_videos

__all__ = [
    "COLUMN_NAMES",
    "VIDEO_SUFFIXES",
    "ArchiveInterrupted",
    "ArchiveRun",
    "VideoFile",
    "analyse_file",
    "analyze_archive",
    "file_sha256",
    "find_videos",
    "read_results",
]
