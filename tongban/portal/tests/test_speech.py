"""Read-aloud audio (portal/speech.py): espeak-ng's Mandarin voice, cached, limited, refused."""

import json
import os
import shutil
import subprocess
import time
from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongban.errors import InvalidInput
from tongban.portal import speech

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (os-packages.sh)"
)


@pytest.fixture(autouse=True)
def _speech_settings(settings, tmp_path):
    settings.PORTAL_SPEECH_CACHE_DIR = tmp_path / "speech"
    settings.PORTAL_SPEECH_PER_IP = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def runs(monkeypatch):
    """Every espeak-ng run, counted (and still run)."""
    calls = []
    real = subprocess.run

    def counting(args, **kwargs):
        calls.append(args)
        return real(args, **kwargs)

    monkeypatch.setattr(speech.subprocess, "run", counting)
    return calls


def is_wav(audio: bytes) -> bool:
    return audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 44


@needs_espeak
def test_synthesize_makes_a_wav_file(runs):
    audio = speech.synthesize("您好,欢迎使用周至县政务服务网。")
    assert is_wav(audio)
    assert runs[0][:3] == [shutil.which("espeak-ng"), "-v", "cmn"]
    # The RIFF size is the file's, not a stream's placeholder: browsers know the duration.
    assert int.from_bytes(audio[4:8], "little") == len(audio) - 8


@needs_espeak
def test_the_same_text_is_synthesized_once(runs):
    first = speech.synthesize("办事指南:居民身份证补领。")
    again = speech.synthesize("  办事指南:居民身份证补领。\n")  # the same once cleaned
    assert again == first
    assert len(runs) == 1
    slower = speech.synthesize("办事指南:居民身份证补领。", speed=speech.speed_for(slow=True))
    assert len(runs) == 2 and is_wav(slower)


@needs_espeak
def test_text_that_looks_like_an_option_is_read_not_obeyed(runs):
    assert is_wav(speech.synthesize("--help 帮助"))
    assert "--help 帮助" not in runs[0]  # the text goes in on stdin


def test_too_long_text_is_refused(settings, runs):
    settings.PORTAL_SPEECH_MAX_CHARS = 10
    with pytest.raises(InvalidInput) as error:
        speech.synthesize("一" * 11)
    assert "10" in error.value.fields["text"][0]
    assert runs == []


@pytest.mark.parametrize("text", ["", "   \n\t ", None, "\x00\x01"])
def test_empty_text_is_refused(text, runs):
    with pytest.raises(InvalidInput) as error:
        speech.synthesize(text)
    assert "text" in error.value.fields
    assert runs == []


def test_clean_collapses_whitespace_and_drops_control_characters():
    assert speech.clean(" 第一步\n\n\t第二步\x07 ") == "第一步 第二步"


def test_without_espeak_it_is_unavailable(settings):
    settings.PORTAL_SPEECH_COMMAND = "no-such-espeak"
    with pytest.raises(speech.SpeechUnavailable) as error:
        speech.synthesize("您好")
    assert error.value.status == 503


def test_a_failing_espeak_is_unavailable(monkeypatch):
    def failing(args, **kwargs):
        raise subprocess.TimeoutExpired(args, 1)

    monkeypatch.setattr(speech.subprocess, "run", failing)
    monkeypatch.setattr(speech.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    with pytest.raises(speech.SpeechUnavailable):
        speech.synthesize("您好")


# --- the view ----------------------------------------------------------------------------

URL = "/speech/"


def post_json(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def test_the_url_is_the_portal_speech_endpoint():
    assert reverse("portal:speech") == URL


@needs_espeak
def test_view_answers_audio_for_anyone(client, runs):
    response = post_json(client, {"text": "正在朗读办事指南。"})
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert is_wav(response.content)
    form = client.post(URL, {"text": "正在朗读办事指南。"})  # a form field does as well
    assert form.status_code == 200 and form.content == response.content
    assert len(runs) == 1


@needs_espeak
def test_view_reads_slower_in_elderly_mode(client, runs):
    client.cookies["tb_elder"] = "1"
    assert post_json(client, {"text": "长辈版朗读。"}).status_code == 200
    assert runs[0][runs[0].index("-s") + 1] == str(speech.speed_for(slow=True))


def test_view_refuses_empty_and_too_long_text_on_the_text_field(client, settings):
    settings.PORTAL_SPEECH_MAX_CHARS = 5
    for body in ({"text": ""}, {"text": "一二三四五六"}, {}, {"text": 5}):
        response = post_json(client, body)
        assert response.status_code == 422, body
        assert set(response.json()["fields"]) == {"text"}
    assert client.post(URL, "{not json", content_type="application/json").status_code == 422


def test_view_is_post_only(client):
    assert client.get(URL).status_code == 405


def test_view_limits_each_client_address(client, settings, monkeypatch):
    settings.PORTAL_SPEECH_PER_IP = 2
    monkeypatch.setattr(speech, "synthesize", lambda text, speed=None: b"RIFF....WAVE")
    assert post_json(client, {"text": "一"}).status_code == 200
    assert post_json(client, {"text": "二"}).status_code == 200
    limited = post_json(client, {"text": "三"})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    # Another address has its own count.
    assert post_json(client, {"text": "四"}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_view_without_espeak_answers_503_in_chinese(client, settings):
    settings.PORTAL_SPEECH_COMMAND = "no-such-espeak"
    response = post_json(client, {"text": "您好"})
    assert response.status_code == 503
    assert response.json()["message"] == "本设备暂不支持朗读,请拨打咨询电话"


def test_view_checks_the_csrf_token(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"text": "您好"}).status_code == 403


def _cached_file(settings, name: str, days_old: float):
    path = settings.PORTAL_SPEECH_CACHE_DIR / name[:2] / f"{name}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF0000WAVE")
    stamp = time.time() - days_old * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_prune_deletes_audio_unread_for_the_set_days_only(settings):
    old = _cached_file(settings, "aa01", days_old=31)
    recent = _cached_file(settings, "ab02", days_old=2)
    assert speech.prune(30) == 1
    assert not old.exists() and recent.exists()


@needs_espeak
def test_reading_cached_audio_keeps_it_from_the_prune(settings, runs):
    text = "办事指南:居民身份证补领。"
    speech.synthesize(text)
    (path,) = settings.PORTAL_SPEECH_CACHE_DIR.glob("*/*.wav")
    stamp = time.time() - 40 * 86400
    os.utime(path, (stamp, stamp))
    speech.synthesize(text)
    assert speech.prune(30) == 0 and path.exists()


def test_the_prune_task_queues_its_next_run_a_day_later(settings):
    from tongban.portal import tasks

    _cached_file(settings, "ac03", days_old=60)
    queued = []
    with patch.object(tasks, "schedule_next", lambda: queued.append(1)):
        assert tasks.prune_speech.call() == 1
    assert queued == [1]
