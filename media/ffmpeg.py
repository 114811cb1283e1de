"""Running ffmpeg: finding the binaries, probing a video, transcoding.

ffmpeg comes from FFMPEG_BINARY, else PATH (Debian's package, which the
setup installs), else the binary bundled in the imageio-ffmpeg wheel, so a
machine with only Python still processes video. imageio-ffmpeg ships no
ffprobe: without one, `probe` reads the stream description ffmpeg prints.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from django.conf import settings


class FFmpegError(Exception):
    """ffmpeg or ffprobe could not read or write a file."""


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    duration: float
    frame_rate: str
    has_audio: bool


@cache
def ffmpeg_binary() -> str:
    found = settings.FFMPEG_BINARY or shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@cache
def ffprobe_binary() -> str | None:
    return settings.FFPROBE_BINARY or shutil.which("ffprobe")


def run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    try:
        # The arguments are built here from settings and our own temporary paths.
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise FFmpegError("The video took too long to read.") from None


def probe(path: str) -> VideoInfo:
    """The first video stream's size, the duration and whether there is sound.

    Raises FFmpegError when the file has no readable video stream.
    """
    ffprobe = ffprobe_binary()
    if ffprobe:
        return _probe_json(ffprobe, path)
    return _probe_banner(path)


def _probe_json(ffprobe: str, path: str) -> VideoInfo:
    done = run(
        [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], timeout=30
    )
    if done.returncode != 0:
        raise FFmpegError("The video is damaged or in a format we can't read.")
    data = json.loads(done.stdout or b"{}")
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video" and s.get("width")), None)
    if video is None:
        raise FFmpegError("The file has no video in it.")
    duration = data.get("format", {}).get("duration") or video.get("duration") or 0
    return VideoInfo(
        width=int(video["width"]),
        height=int(video["height"]),
        duration=float(duration),
        frame_rate=str(video.get("avg_frame_rate") or video.get("r_frame_rate") or ""),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(rb"Stream #\S+.*?: Video: .*?, (\d{2,5})x(\d{2,5})[ ,\[]")
_FPS = re.compile(rb"(\d+(?:\.\d+)?) fps")


def _probe_banner(path: str) -> VideoInfo:
    # With no output file ffmpeg exits with an error after describing the input.
    done = run([ffmpeg_binary(), "-hide_banner", "-i", path], timeout=30)
    video = _VIDEO.search(done.stderr)
    if video is None:
        raise FFmpegError("The video is damaged or in a format we can't read.")
    duration = _DURATION.search(done.stderr)
    seconds = (
        int(duration[1]) * 3600 + int(duration[2]) * 60 + float(duration[3]) if duration is not None else 0.0
    )
    fps = _FPS.search(done.stderr)
    return VideoInfo(
        width=int(video[1]),
        height=int(video[2]),
        duration=seconds,
        frame_rate=fps[1].decode() if fps else "",
        has_audio=b": Audio: " in done.stderr,
    )


def transcode(source: str, target: str, *, max_side: int, audio: bool, timeout: float) -> None:
    """Write `source` as H.264 MP4 (AAC sound, or none) no larger than
    `max_side`, with even dimensions (yuv420p needs them) and the index up
    front so browsers start playing before the download ends."""
    scale = (
        f"scale='min({max_side},iw)':'min({max_side},ih)':force_original_aspect_ratio=decrease,"
        "scale=trunc(iw/2)*2:trunc(ih/2)*2"
    )
    args = [ffmpeg_binary(), "-y", "-v", "error", "-i", source, "-map", "0:v:0", "-vf", scale]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
    args += ["-map", "0:a:0", "-c:a", "aac", "-b:a", "128k"] if audio else ["-an"]
    args += ["-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", target]
    done = run(args, timeout=timeout)
    if done.returncode != 0:
        raise FFmpegError("The video could not be converted.")


def poster_frame(source: str, target: str, *, max_side: int) -> None:
    """The first frame of `source` as a JPEG no larger than `max_side`."""
    scale = f"scale='min({max_side},iw)':'min({max_side},ih)':force_original_aspect_ratio=decrease"
    done = run(
        [
            ffmpeg_binary(),
            "-y",
            "-v",
            "error",
            "-i",
            source,
            "-frames:v",
            "1",
            "-vf",
            scale,
            "-f",
            "image2",
            "-c:v",
            "mjpeg",
            target,
        ],
        timeout=60,
    )
    if done.returncode != 0:
        raise FFmpegError("No frame of the video could be read.")
