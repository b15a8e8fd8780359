"""The tour's narration in Korean, the language of the seed notes (``--lang ko``).

The English text is the key, as with gettext: a step says
``seen.say("tasks taking %s s", durations)`` and :func:`translate` looks the
format up here.  ``tests/test_tour.py`` checks that every message the steps
say has its Korean form.
"""

from __future__ import annotations

from typing import Dict

LANGUAGES = ("en", "ko")

KOREAN: Dict[str, str] = {
    "the timeline (--trace): a file took %.0f us in a pool thread, against %.0f us in the loop": (
        "타임라인 (--trace): 파일 하나에 풀 스레드에서는 %.0f us, 반복문에서는 %.0f us가 걸렸습니다"
    ),
    "  %d workers were in calls %.0f%% of the time, mostly waiting for the GIL in them;": (
        "  워커 %d개가 시간의 %.0f%% 동안 호출 안에 있었지만, 대부분 그 안에서 GIL을 기다렸습니다;"
    ),
    "  %d workers were in calls %.0f%% of the time;": (
        "  워커 %d개가 시간의 %.0f%% 동안 호출 안에 있었습니다;"
    ),
    "  each file also waited %.0f us in the queue": "  파일마다 큐에서도 %.0f us를 기다렸습니다",
    "  trace events (open in https://ui.perfetto.dev): %s": (
        "  트레이스 이벤트 (https://ui.perfetto.dev 에서 열기): %s"
    ),
    "  (install matplotlib for a Gantt chart of it)": (
        "  (간트 차트를 보려면 matplotlib을 설치하세요)"
    ),
    "  Gantt chart: %s": "  간트 차트: %s",
    "three calls that each wait %.2f s, one after another: %.2f s": (
        "각각 %.2f초를 기다리는 호출 세 개를 차례로 실행: %.2f초"
    ),
    "the same three calls in a pool of three threads: %.2f s (the waits overlap)": (
        "같은 호출 세 개를 스레드 세 개짜리 풀에서 실행: %.2f초 (기다리는 시간이 겹칩니다)"
    ),
    "executor.submit(pow, 2, 3).result() = %r": "executor.submit(pow, 2, 3).result() = %r",
    "while the only worker is busy, the next one: %s": (
        "하나뿐인 워커가 바쁜 동안 기다리는 다음 작업: %s"
    ),
    "the busy one: %s": "실행 중인 작업: %s",
    "done() = %s: %s": "done() = %s: %s",
    "tasks taking %s s": "실행 시간이 %s초인 작업들",
    "as_completed(): %s  (first finished, first out)": (
        "as_completed(): %s  (먼저 끝난 작업이 먼저 나옵니다)"
    ),
    "map():          %s  (input order)": "map():          %s  (입력한 순서대로)",
    "%-15s -> %s(done=%s, not_done=%s)": "%-15s -> %s(done=%s, not_done=%s)",
    "one worker; its task submits pow(2, 3) to the same pool and waits": (
        "워커 하나; 그 작업이 같은 풀에 pow(2, 3)을 제출하고 결과를 기다립니다"
    ),
    "stuck after %.1f s, as in the seed notes. Where each thread waits:": (
        "%.1f초가 지나도 끝나지 않습니다 (노트에서 본 교착 상태). 각 스레드가 기다리는 곳:"
    ),
    "  %s in %s(): %s": "  %s, %s() 안에서: %s",
    "  the task:  %s": "  바깥 작업: %s",
    "  its inner: %s": "  안쪽 작업: %s",
    "broken from outside with inner.cancel(): the task ends with %s": (
        "밖에서 inner.cancel()로 풀었습니다: 바깥 작업은 %s로 끝납니다"
    ),
    "the fix, max_workers=2: %s": "해결 방법, max_workers=2: %s",
    "two workers; a waits for b's result, b for a's": (
        "워커 둘; a는 b의 결과를, b는 a의 결과를 기다립니다"
    ),
    "  a: %s": "  a: %s",
    "  b: %s": "  b: %s",
    "broken from outside with a.set_result(...): b returns %r": (
        "밖에서 a.set_result(...)로 풀었습니다: b는 %r을 돌려줍니다"
    ),
    "the fix, waiting from outside: %s": "해결 방법, 풀 밖에서 기다리기: %s",
    "%d files in a plain loop: %.2f s": "보통 반복문으로 파일 %d개: %.2f초",
    "%d files on ThreadPoolExecutor(): %.2f s (%.2f x the loop)": (
        "ThreadPoolExecutor()로 파일 %d개: %.2f초 (반복문의 %.2f배)"
    ),
    "each file holds the GIL for most of its time; threads overlap only the short system": (
        "파일 하나를 쓰는 동안 대부분 GIL을 잡고 있습니다. 스레드가 겹칠 수 있는 것은 짧은"
    ),
    "calls, hand the GIL to each other at every one, and pay for a future each:": (
        "시스템 호출뿐이고, 호출마다 GIL을 서로 넘기며, 작업마다 future 비용을 냅니다."
    ),
    "on this kind of job a pool of threads can lose to a plain loop.": (
        "그래서 이런 일에서는 스레드 풀이 보통 반복문보다 느릴 수 있습니다."
    ),
    "this build runs without the GIL: the workers run each file's Python code": (
        "이 빌드에는 GIL이 없습니다. 워커들은 파일마다 도는 파이썬 코드를"
    ),
    "side by side, on %d cores; a pool still adds a future and a hand-off to": (
        "코어 %d개에서 나란히 실행합니다. 그래도 풀은 파일마다 future 하나와 넘겨주기를"
    ),
    "each file, and the thread reading as_completed() takes a core as it wakes.": (
        "더하고, as_completed()를 읽는 스레드가 깨어날 때마다 코어 하나를 차지합니다."
    ),
    "the pool logged (%s) %r%s": "풀이 남긴 로그 (%s) %r%s",
    "the step failed: %s: %s": "이 단계가 실패했습니다: %s: %s",
    "same behaviour as concurrent.futures": "concurrent.futures와 같은 동작",
    "DIVERGED": "다름",
    "step": "단계",
    "same": "같음",
}


def translate(message: str, lang: str) -> str:
    """*message* in *lang* (English, the key, when there is no translation)."""
    if lang == "ko":
        return KOREAN.get(message, message)
    return message
