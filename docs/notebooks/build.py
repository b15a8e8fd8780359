"""Write the seed's notebooks, in English and Korean, and run them to store their outputs.

    python docs/notebooks/build.py   # needs the notebook extra (nbclient, ipykernel, matplotlib)

The seed notes were a Jupyter notebook, in Korean.  These are its
experiments in its order, on minipool: synchronous and asynchronous work,
``submit`` and ``Future``, the two deadlocks (here a DeadlockError each, in
debug mode, where the standard library hangs), ``as_completed`` against
``map``, ``wait``, and the file job that lost to a plain loop, with what
minipool shows about it (its statistics, its timeline).  The code cells are
the same in both languages; the text is each language's own.

The notebooks are written from CELLS below and run in a fresh kernel; the
outputs stored are that run's.  tests/test_notebooks.py runs them again
and compares every cell's output with the stored one; the Sphinx site
renders them (myst-nb) with their outputs, one per language.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
LANGUAGES = ("en", "ko")

# (kind, text or code, tags).  Markdown cells are {language: text}; code
# cells are shared.  A code cell tagged "raises-exception" ends in an error
# on purpose (the deadlocks); any other error stops the run.
CELLS: list[tuple[str, object, tuple[str, ...]]] = [
    (
        "markdown",
        {
            "en": "# Multithreading with minipool\n\n"
            "The seed notes' experiments, run on minipool.\n\n"
            "* **synchronous**: send a request, wait for its answer, then go on;\n"
            "* **asynchronous**: send a request and do other work while it is answered.",
            "ko": "# minipool 로 하는 멀티 쓰레딩\n\n"
            "씨앗 노트의 실험들을 minipool 로 실행합니다.\n\n"
            "* **동기적**: 요청을 보내고, 응답이 올 때까지 기다렸다가 다음 작업을 시작하는 방식\n"
            "* **비동기적**: 요청을 보내고, 응답을 기다리는 동안 다른 작업을 하는 방식",
        },
        (),
    ),
    (
        "code",
        "import time\n"
        "start = time.time()\n"
        "print(pow(2, 3))\n"
        "end = time.time()\n"
        'print("{:.2f}".format(end - start))',
        (),
    ),
    (
        "markdown",
        {
            "en": "## 1. `ThreadPoolExecutor`\n\n"
            "Open a pool, `submit` a callable and its arguments, and read the result from "
            "the `Future` it returns. The `with` statement shuts the pool down at the end.\n\n"
            "Debug mode is on for every pool made from here: a wait that can never end "
            "raises `DeadlockError` instead of hanging the kernel.",
            "ko": "## 1. `ThreadPoolExecutor`\n\n"
            "풀을 열고, 처리하고 싶은 함수와 인자들을 `submit` 으로 보낸 뒤, 돌려받은 "
            "`Future` 에서 결과를 읽습니다. `with` 구문이 끝날 때 풀을 닫아 줍니다.\n\n"
            "여기부터 만드는 모든 풀은 디버그 모드입니다: 절대 끝나지 않을 대기는 커널을 "
            "멈추는 대신 `DeadlockError` 를 일으킵니다.",
        },
        (),
    ),
    (
        "code",
        "import threading\n"
        "import minipool\n"
        "from minipool import ThreadPoolExecutor\n"
        "minipool.set_debug(True)\n\n"
        "with ThreadPoolExecutor(max_workers=1) as executor:\n"
        "    future = executor.submit(pow, 2, 3)\n"
        "    print(future.result())",
        (),
    ),
    (
        "markdown",
        {
            "en": "## 2. Two deadlocks\n\n"
            "A call that waits for another future can deadlock. Here `a` waits for `b` "
            "and `b` waits for `a` (the event lets both start before either waits).",
            "ko": "## 2. 두 가지 교착 상태\n\n"
            "Future 와 관련된 콜러블 객체가 다른 Future 의 결과를 기다릴 때 교착 상태가 "
            "발생할 수 있습니다. 아래에서 `a` 는 `b` 를, `b` 는 `a` 를 기다립니다 "
            "(이벤트는 둘 다 시작한 뒤에 기다리게 합니다).",
        },
        (),
    ),
    (
        "code",
        "both_submitted = threading.Event()\n\n"
        "def wait_on_b():\n"
        "    both_submitted.wait()\n"
        "    return b.result()  # b will never complete: it waits for a\n\n"
        "def wait_on_a():\n"
        "    both_submitted.wait()\n"
        "    return a.result()  # a will never complete: it waits for b\n\n"
        "executor = ThreadPoolExecutor(max_workers=2)\n"
        "a = executor.submit(wait_on_b)\n"
        "b = executor.submit(wait_on_a)\n"
        "both_submitted.set()\n"
        "a.result()",
        ("raises-exception",),
    ),
    (
        "markdown",
        {
            "en": "The standard library hangs here, for ever. In debug mode each wait of the "
            "cycle fails with the chain of waits. The pool is still usable:",
            "ko": "표준 라이브러리는 여기서 영원히 멈춥니다. 디버그 모드에서는 순환에 걸린 "
            "대기마다 대기의 사슬과 함께 실패합니다. 풀은 여전히 쓸 수 있습니다:",
        },
        (),
    ),
    (
        "code",
        "print(type(b.exception()).__name__)\n"
        "print(executor.submit(pow, 2, 10).result())\n"
        "executor.shutdown()",
        (),
    ),
    (
        "markdown",
        {
            "en": "The second deadlock: one worker, whose call submits to the same pool and "
            "waits. The inner call is queued behind the only worker, which is busy waiting "
            "for it.",
            "ko": "두 번째 교착 상태: 쓰레드가 하나인 풀에서, 그 쓰레드가 실행하는 함수가 같은 "
            "풀에 제출하고 기다립니다. 안쪽 호출은 유일한 쓰레드 뒤에 줄을 서고, 그 "
            "쓰레드는 그 호출을 기다리느라 바쁩니다.",
        },
        (),
    ),
    (
        "code",
        "def wait_on_future():\n"
        "    f = executor.submit(pow, 5, 2)\n"
        "    # This will never complete because there is only one worker thread and\n"
        "    # it is executing this function.\n"
        "    print(f.result())\n\n"
        "executor = ThreadPoolExecutor(max_workers=1)\n"
        "executor.submit(wait_on_future).result()",
        ("raises-exception",),
    ),
    (
        "markdown",
        {
            "en": "Without debug mode (the default, as in the standard library) the same call "
            "hangs. Interrupting the kernel ends only the wait: the worker stays blocked, "
            "and the pool with it. `shutdown(cancel_futures=True)` cancels what is queued, "
            "which ends the worker's wait too:",
            "ko": "디버그 모드가 아니면 (표준 라이브러리처럼 기본값) 같은 호출은 멈춥니다. "
            "커널을 인터럽트하면 대기만 끝날 뿐, 쓰레드는 막힌 채로 남고 풀도 그렇습니다. "
            "`shutdown(cancel_futures=True)` 가 줄 서 있는 호출을 취소하면, 쓰레드의 "
            "대기도 끝납니다:",
        },
        (),
    ),
    (
        "code",
        "waiting = threading.Event()\n\n"
        "def wait_on_future_for_ever():\n"
        "    f = executor.submit(pow, 5, 2)\n"
        "    waiting.set()\n"
        "    return f.result()  # blocks for ever: f is queued behind this call\n\n"
        "executor = ThreadPoolExecutor(max_workers=1, debug=False)\n"
        "stuck = executor.submit(wait_on_future_for_ever)\n"
        "waiting.wait()\n"
        "executor.shutdown(wait=True, cancel_futures=True)\n"
        "print(repr(stuck.exception()))",
        (),
    ),
    (
        "markdown",
        {
            "en": "## 3. A quick guide\n\n"
            "A pool of three threads; the call waits for a gate, so `done()` is `False` "
            "until the gate opens.",
            "ko": "## 3. 퀵 가이드\n\n"
            "쓰레드 세 개를 가진 풀을 만들고 함수를 제출합니다. 함수는 문이 열릴 때까지 "
            "기다리므로, 그 전까지 `done()` 은 `False` 입니다.",
        },
        (),
    ),
    (
        "code",
        "gate = threading.Event()\n\n"
        "def wait_for_the_gate(message):\n"
        "    gate.wait()\n"
        "    return message\n\n"
        "pool = ThreadPoolExecutor(3, stats=True)\n"
        "future = pool.submit(wait_for_the_gate, 'hello')\n"
        "print(future.done())\n"
        "gate.set()\n"
        "print(future.result())\n"
        "print(future.done())",
        (),
    ),
    (
        "markdown",
        {
            "en": "## 4. `as_completed` and `map`\n\n"
            "`map` gives results in the order of its input; `as_completed` gives futures "
            "as they finish. Here the calls finish in the order `[2, 0, 1]`: `f2` at once, "
            "`f0` when we say go, `f1` after `f0`.",
            "ko": "## 4. `as_completed` 와 `map`\n\n"
            "`map` 은 입력한 순서대로 결과를 돌려주고, `as_completed` 는 끝나는 순서대로 "
            "future 를 돌려줍니다. 아래에서 호출들은 `[2, 0, 1]` 순서로 끝납니다: `f2` 는 "
            "곧바로, `f0` 은 우리가 신호를 줄 때, `f1` 은 `f0` 다음에.",
        },
        (),
    ),
    (
        "code",
        "from minipool import as_completed, wait, FIRST_COMPLETED\n\n"
        "def finish_when(ready, label):\n"
        "    ready()  # wait for what must happen first\n"
        "    return label\n\n"
        "go = threading.Event()\n"
        "f2 = pool.submit(finish_when, lambda: None, 2)  # finishes at once\n"
        "f0 = pool.submit(finish_when, go.wait, 0)       # when we say go\n"
        "f1 = pool.submit(finish_when, f0.result, 1)     # after f0\n"
        "wait([f2])\n\n"
        "finished = as_completed([f0, f1, f2])\n"
        "order = [next(finished).result()]  # f2, done already\n"
        "go.set()\n"
        "order += [f.result() for f in finished]\n"
        "print('as_completed:', order)\n"
        "print('map:         ', list(pool.map(abs, [0, -1, -2])))",
        (),
    ),
    (
        "markdown",
        {
            "en": "## 5. `wait`\n\n"
            "`wait` returns two sets: the futures done, and the ones not done.",
            "ko": "## 5. `wait`\n\n"
            "`wait` 는 두 집합을 돌려줍니다: 끝난 future 들과 끝나지 않은 future 들.",
        },
        (),
    ),
    (
        "code",
        "release = threading.Event()\n"
        "quick = pool.submit(abs, -5)\n"
        "slow = pool.submit(release.wait)\n"
        "done, not_done = wait([quick, slow], return_when=FIRST_COMPLETED)\n"
        "print(quick in done, slow in not_done)\n"
        "release.set()\n"
        "done, not_done = wait([quick, slow])\n"
        "print(len(done), len(not_done))",
        (),
    ),
    (
        "markdown",
        {
            "en": "The pool counted everything it ran (`stats=True`); as a cell's last line, "
            "the snapshot shows as a table:",
            "ko": "풀은 실행한 모든 것을 세어 두었습니다 (`stats=True`). 셀의 마지막 줄에 두면 "
            "스냅샷이 표로 보입니다:",
        },
        (),
    ),
    ("code", "pool.shutdown()\npool.stats()", ()),
    (
        "markdown",
        {
            "en": "## 6. The file job: why did the pool lose?\n\n"
            "The seed wrote 100,000 small files with a pool and with a plain loop, and "
            "the loop won. Here 2,000 files, timed both ways, with the pool's calls "
            "recorded on a timeline:",
            "ko": "## 6. 파일 작업: 풀은 왜 졌을까?\n\n"
            "씨앗 노트는 작은 파일 100,000 개를 풀로, 그리고 평범한 반복문으로 썼고, "
            "반복문이 이겼습니다. 여기서는 파일 2,000 개를 두 방법으로 재고, 풀의 호출을 "
            "타임라인에 기록합니다:",
        },
        (),
    ),
    (
        "code",
        "import os, tempfile\n"
        "from minipool import trace\n\n"
        "folder = tempfile.mkdtemp()\n\n"
        "def write_number(num):\n"
        "    with open(os.path.join(folder, str(num)), 'w') as txt:\n"
        "        txt.write('the number is %d' % num)\n"
        "    return 'Return of {}'.format(num)\n\n"
        "start = time.time()\n"
        "with trace.record() as timeline, ThreadPoolExecutor() as files_pool:\n"
        "    futures = [files_pool.submit(write_number, x) for x in range(2000)]\n"
        "    for x in as_completed(futures):\n"
        "        x.result()\n"
        "pool_seconds = time.time() - start\n\n"
        "start = time.time()\n"
        "for x in range(2000):\n"
        "    write_number(x)\n"
        "loop_seconds = time.time() - start\n"
        "print('pool %.3f s, loop %.3f s' % (pool_seconds, loop_seconds))",
        (),
    ),
    (
        "markdown",
        {
            "en": "Each call is a few microseconds of Python and one small write: the workers "
            "take turns on the GIL, and the pool adds its hand-off to every call. The "
            "timeline shows the workers mostly waiting for each other:",
            "ko": "각 호출은 몇 마이크로초의 파이썬 코드와 작은 쓰기 하나입니다: 쓰레드들은 GIL "
            "을 번갈아 잡고, 풀은 호출마다 전달 비용을 더합니다. 타임라인을 보면 쓰레드들이 "
            "대부분 서로를 기다립니다:",
        },
        (),
    ),
    ("code", "timeline", ()),
]


def notebook(language: str) -> object:
    import nbformat

    cells = []
    for kind, content, tags in CELLS:
        metadata = {"tags": list(tags)} if tags else {}
        if kind == "markdown":
            assert isinstance(content, dict)
            cells.append(nbformat.v4.new_markdown_cell(content[language], metadata=metadata))
        else:
            cells.append(nbformat.v4.new_code_cell(str(content), metadata=metadata))
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}  # fmt: skip
    book.metadata["language_info"] = {"name": "python"}
    return book


def path_of(language: str) -> Path:
    """seed.ipynb (English, the docs' page notebooks/seed) and seed.ko.ipynb (Korean,
    which the Korean build reads in its place: docs/conf.py)."""
    return HERE / ("seed.ipynb" if language == "en" else "seed.%s.ipynb" % language)


def execute(book: object) -> object:
    """Run *book* in a fresh python3 kernel (this interpreter's ipykernel); cells tagged
    raises-exception may end in an error, no other may."""
    from nbclient import NotebookClient

    NotebookClient(book, timeout=120, kernel_name="python3").execute()
    return book


def main() -> int:
    import nbformat

    for language in LANGUAGES:
        book = execute(notebook(language))
        nbformat.write(book, str(path_of(language)))
        print("wrote", path_of(language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
