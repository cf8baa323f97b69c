"""Read-aloud audio (朗读): speech made on the platform for browsers without a Chinese voice.

The read-aloud control (``portal/_read_aloud.html``, ``read-aloud.js``) speaks with the
browser's own speech synthesis when it has a Chinese voice; otherwise it posts the page's
text here, a piece at a time, and plays the WAV that comes back::

    POST /speech/   {"text": "办事指南……"}   →   200 audio/wav

``synthesize`` runs espeak-ng's Mandarin voice (``cmn``) with a timeout. The text is cleaned
(control characters dropped, whitespace collapsed) and capped at ``PORTAL_SPEECH_MAX_CHARS``;
the audio is kept in files under ``PORTAL_SPEECH_CACHE_DIR`` named by the sha256 of the text
and the speed, so a guide read twice is synthesized once. Every request counts against a
limit per client address (the shared cache, fixed windows, like case tracking and license
verification); past it the answer is 429. Without espeak-ng the answer is 503 and the control
tells the person to call the consultation line. Anyone may use it, signed in or not.
"""

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from tongban.core import throttle
from tongban.errors import InvalidInput, RateLimited, TongbanError
from tongban.portal.modes import is_elder

logger = logging.getLogger(__name__)
VOICE = "cmn"
# Characters that are not read: control characters (keeping none) and private-use glyphs.
UNREADABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]")
SPACES = re.compile(r"\s+")


class SpeechUnavailable(TongbanError):
    code = "speech_unavailable"
    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "本设备暂不支持朗读,请拨打咨询电话"
    message_en = "Read-aloud is not available at the moment"


def clean(text) -> str:
    """The text as it is read: no control characters, whitespace collapsed, trimmed; refused
    (``InvalidInput`` on ``text``) when empty or longer than the cap."""
    cleaned = SPACES.sub(" ", UNREADABLE.sub(" ", str(text or ""))).strip()
    most = settings.PORTAL_SPEECH_MAX_CHARS
    if not cleaned:
        raise InvalidInput(fields={"text": ["请提供要朗读的文字 / enter the text to read"]})
    if len(cleaned) > most:
        raise InvalidInput(
            fields={"text": [f"一次朗读的文字不能超过 {most} 字 / at most {most} characters"]}
        )
    return cleaned


def speed_for(*, slow: bool = False) -> int:
    """Words per minute: slower for elderly mode (长辈版)."""
    return settings.PORTAL_SPEECH_SLOW_SPEED if slow else settings.PORTAL_SPEECH_SPEED


def available() -> bool:
    return shutil.which(settings.PORTAL_SPEECH_COMMAND) is not None


def synthesize(text, *, speed: int | None = None) -> bytes:
    """A WAV file of ``text`` read in Mandarin at ``speed`` words per minute; the same text
    and speed are synthesized once (the file cache). ``InvalidInput`` for empty or too long
    text, ``SpeechUnavailable`` when espeak-ng is missing or fails."""
    text = clean(text)
    speed = int(speed or speed_for())
    path = _cached_path(text, speed)
    try:
        audio = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        path.touch()  # the prune sweep keeps what is still being read
        return audio
    audio = _run_espeak(text, speed)
    _store(path, audio)
    return audio


def _cached_path(text: str, speed: int) -> Path:
    digest = hashlib.sha256(f"{VOICE}\n{speed}\n{text}".encode()).hexdigest()
    return Path(settings.PORTAL_SPEECH_CACHE_DIR) / digest[:2] / f"{digest}.wav"


def _run_espeak(text: str, speed: int) -> bytes:
    command = shutil.which(settings.PORTAL_SPEECH_COMMAND)
    if command is None:
        raise SpeechUnavailable()
    with tempfile.TemporaryDirectory(prefix="tongban-speech-") as folder:
        out = Path(folder) / "speech.wav"
        # The text goes in on stdin, so nothing it says can be taken for an option.
        args = [command, "-v", VOICE, "-s", str(speed), "-w", str(out), "--stdin"]
        try:
            subprocess.run(
                args,
                input=text.encode(),
                capture_output=True,
                timeout=settings.PORTAL_SPEECH_TIMEOUT,
                check=True,
            )
            audio = out.read_bytes()
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("espeak-ng failed: %r", error)
            raise SpeechUnavailable() from error
    if audio[:4] != b"RIFF" or audio[8:12] != b"WAVE":
        logger.warning("espeak-ng wrote no WAV file (%d bytes)", len(audio))
        raise SpeechUnavailable()
    return audio


def _store(path: Path, audio: bytes) -> None:
    """Write the file whole or not at all (a rename), so a reader never sees half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(audio)
        os.replace(temporary, path)
    except OSError as error:  # a full or read-only disk: serve the audio uncached
        logger.warning("speech cache not written: %r", error)


def limit(ip: str | None) -> None:
    """Count one request against the client address's window (``RateLimited`` past it)."""
    throttle.count(
        "portal:speech",
        ip or "",
        allowed=settings.PORTAL_SPEECH_PER_IP,
        window_seconds=settings.PORTAL_SPEECH_WINDOW,
        message="朗读请求过于频繁,请稍后再试",
        message_en="Too many read-aloud requests, try again later",
    )


# --- the view ----------------------------------------------------------------------------


@require_POST
def speak(request):
    """``POST /speech/``: JSON ``{"text": …}`` or a form field ``text`` → ``audio/wav``.

    Errors are the platform's JSON error shape: 422 (``fields.text``), 429, 503."""
    try:
        limit(request.META.get("REMOTE_ADDR") or None)
        audio = synthesize(_text_of(request), speed=speed_for(slow=is_elder(request)))
    except TongbanError as error:
        response = JsonResponse(
            error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False}
        )
        if isinstance(error, RateLimited):
            response["Retry-After"] = str(error.retry_after)
        return response
    response = HttpResponse(audio, content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Length"] = str(len(audio))
    return response


def _text_of(request) -> str:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
            raise InvalidInput(fields={"text": ['请求格式有误 / send {"text": "…"}']})
        return body.get("text", "")
    return request.POST.get("text", "")


def prune(days: int) -> int:
    """Delete cached audio not read for ``days`` days; how many files went."""
    cutoff = time.time() - days * 86400
    removed = 0
    for path in Path(settings.PORTAL_SPEECH_CACHE_DIR).glob("*/*.wav"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another worker pruned it first
    return removed
