"""The documentation against the code: what the pages claim, checked.

- The tutorial's examples run, and print the same, on minipool and on the
  standard library (tests/docs_examples.py, in a child process each).
- The future's state table (in minipool/future.py, rendered on the "How it
  works" page) is the code's: every move it lists happens, on minipool and on
  the standard library, and every move it does not list is refused.
- The differences table (docs/differences.rst) names every name minipool adds
  to the standard library's API, and only tests that exist.
- The Korean catalogs (docs/locale/ko) translate every sentence of the home
  page and the tutorial, keep the code each sentence names, and are up to
  date with the English pages (that check needs Sphinx's gettext builder).
- The built site (needs Sphinx: ``python -m nox -s docs`` runs these after
  building both languages) renders every public name, builds the translated
  pages in Korean, and links every page to itself in the other language.
"""

from __future__ import annotations

import ast
import concurrent.futures
import inspect
import json
import logging
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

import minipool
import minipool.asyncio
import minipool.future
import minipool.trace

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


# -- the tutorial, on both implementations ---------------------------------------


@pytest.mark.timeout(120)  # two child processes; the pages wait for barriers and timeouts
def test_the_tutorials_examples_print_the_same_on_the_standard_library() -> None:
    outcomes = {}
    for module in ("minipool", "concurrent.futures"):
        child = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "docs_examples.py"), module],
            capture_output=True,
            text=True,
            timeout=100,
            cwd=ROOT,
        )
        assert child.returncode == 0, child.stderr[-3000:]
        outcomes[module] = json.loads(child.stdout)
    for module, pages in outcomes.items():
        failures = {page: r["report"] for page, r in pages.items() if r["failed"]}
        assert not failures, "%s: %s" % (module, failures)
    counts = {page: r["examples"] for page, r in outcomes["minipool"].items()}
    assert counts == {page: r["examples"] for page, r in outcomes["concurrent.futures"].items()}
    # Every page but the index teaches by running examples.
    assert all(count >= 4 for page, count in counts.items() if page != "index"), counts


# -- the future's state machine -----------------------------------------------------

STATES = ["PENDING", "RUNNING", "CANCELLED", "CANCELLED_AND_NOTIFIED", "FINISHED"]
MOVES = ["cancel", "set_running_or_notify_cancel", "set_result", "set_exception"]


def state_table() -> tuple[dict[str, bool], dict[tuple[str, str], str]]:
    """The table in minipool.future's docstring: done() per state, and its moves."""
    doc = minipool.future.__doc__ or ""
    block = doc.split("state                   done()")[1].split("\n\n")[0]
    done: dict[str, bool] = {}
    moves: dict[tuple[str, str], str] = {}
    state = ""
    for line in block.splitlines()[2:]:  # after the header and its rule
        cells = re.split(r"\s{2,}", line.strip())
        if not line.startswith(" " * 8):  # a row that names a state
            state, flag, *cells = cells
            done[state] = {"yes": True, "no": False}[flag]
        if cells[0] == "(final)":
            continue
        target, methods = cells
        for method in methods.split(" / "):
            moves[(state, method.strip().removesuffix("()"))] = target
    return done, moves


def future_in(impl: ModuleType, state: str) -> Any:
    """A fresh future of *impl* brought to *state* by the usual path."""
    future = impl.Future()
    if state == "RUNNING":
        future.set_running_or_notify_cancel()
    elif state in ("CANCELLED", "CANCELLED_AND_NOTIFIED"):
        future.cancel()
        if state == "CANCELLED_AND_NOTIFIED":
            future.set_running_or_notify_cancel()
    elif state == "FINISHED":
        future.set_result(1)
    assert future._state == state
    return future


def make_move(future: Any, move: str) -> None:
    calls: dict[str, Callable[[], Any]] = {
        "cancel": future.cancel,
        "set_running_or_notify_cancel": future.set_running_or_notify_cancel,
        "set_result": lambda: future.set_result(2),
        "set_exception": lambda: future.set_exception(ValueError()),
    }
    try:
        calls[move]()
    except (RuntimeError, concurrent.futures.InvalidStateError, minipool.InvalidStateError):
        pass  # a refused move


def test_the_state_table_lists_every_state_and_only_the_four_moves() -> None:
    done, moves = state_table()
    assert list(done) == STATES
    assert {getattr(minipool.future, state) for state in STATES} == set(STATES)
    assert {method for _state, method in moves} == set(MOVES)
    assert set(moves.values()) <= set(STATES)


@pytest.mark.parametrize("impl", [concurrent.futures, minipool], ids=["stdlib", "minipool"])
def test_every_move_of_the_state_table_happens_and_no_other(impl: ModuleType) -> None:
    done, moves = state_table()
    logging.getLogger("concurrent.futures").disabled = True  # refused moves log critically
    try:
        for state in STATES:
            assert future_in(impl, state).done() is done[state], state
            for move in MOVES:
                future = future_in(impl, state)
                make_move(future, move)
                expected = moves.get((state, move), state)  # not in the table: no move
                assert future._state == expected, (state, move)
    finally:
        logging.getLogger("concurrent.futures").disabled = False


def test_the_state_diagram_shows_every_state_and_move() -> None:
    page = (DOCS / "how-it-works.rst").read_text(encoding="utf-8")
    diagram = page.split("The future's state machine")[1].split("The same machine as a table")[0]
    for name in STATES + MOVES:
        assert re.search(r"\b%s\b" % name, diagram), name


# -- the differences table ----------------------------------------------------------


def list_table_rows(path: Path) -> list[list[str]]:
    """The rows of the first list-table in *path*, each a list of cell texts."""
    rows: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("   * - "):
            rows.append([line[7:]])
        elif line.startswith("     - "):
            rows[-1].append(line[7:])
        elif line.startswith("       ") and rows:
            rows[-1][-1] += " " + line.strip()
    return rows


def added_names() -> set[str]:
    """Every name minipool adds to the standard library's thread-pool API, from the code."""
    names = set(minipool.__all__) - set(concurrent.futures.__all__)
    pairs = [
        (minipool.ThreadPoolExecutor, concurrent.futures.ThreadPoolExecutor),
        (minipool.Executor, concurrent.futures.Executor),
        (minipool.Future, concurrent.futures.Future),
    ]
    for ours, theirs in pairs:
        names |= {n for n in dir(ours) if not n.startswith("_")} - set(dir(theirs))
        for name in ("__init__", "submit", "map", "shutdown"):
            if hasattr(ours, name) and hasattr(theirs, name):
                ours_params = inspect.signature(getattr(ours, name)).parameters
                theirs_params = inspect.signature(getattr(theirs, name)).parameters
                names |= set(ours_params) - set(theirs_params)
    for function in ("wait", "as_completed"):
        ours_params = inspect.signature(getattr(minipool, function)).parameters
        names |= set(ours_params) - set(
            inspect.signature(getattr(concurrent.futures, function)).parameters
        )
    # Public modules: those the API reference documents objects of.
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    names |= set(re.findall(r"^\.\. auto\w+:: (minipool\.[a-z_]+)\.\w+$", api, re.M))
    return names


def test_the_differences_table_names_everything_minipool_adds() -> None:
    rows = list_table_rows(DOCS / "differences.rst")
    assert rows[0] == ["What", "concurrent.futures", "minipool", "Checked by"]
    first_column = " ".join(row[0] for row in rows[1:])
    added = added_names()
    # What this must find, whatever else is added later (map's buffersize is
    # the standard library's own from 3.14, an addition only before).
    expected = {"stats", "max_pending", "set_debug", "minipool.trace"}
    if sys.version_info < (3, 14):
        expected.add("buffersize")
    assert expected <= added
    missing = sorted(
        name for name in added if not re.search(r"\b%s\b" % re.escape(name), first_column)
    )
    assert not missing, "not in docs/differences.rst: %s" % missing


def test_every_name_the_differences_table_references_exists() -> None:
    rows = list_table_rows(DOCS / "differences.rst")
    text = " ".join(" ".join(row[:3]) for row in rows[1:])
    targets = re.findall(r":(?:class|func|meth|mod|exc):`[^`<]*?<?~?(minipool[\w.]*)>?`", text)
    assert len(targets) > 10
    for target in targets:
        parts = target.split(".")
        obj: Any = __import__(parts[0])
        for part in parts[1:]:
            obj = getattr(obj, part)  # AttributeError: a name that does not exist


def test_every_test_the_differences_table_cites_exists() -> None:
    rows = list_table_rows(DOCS / "differences.rst")
    cited = 0
    for row in rows[1:]:
        tests = re.findall(r"``(tests/[\w/]+\.py)::(\w+)``", row[3])
        assert tests, "a row that cites no test: %s" % row[0]
        for path, name in tests:
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert name in defined, "%s::%s does not exist" % (path, name)
            cited += 1
    assert cited >= len(rows) - 1


# -- the Korean translation -----------------------------------------------------------

CATALOGS = DOCS / "locale" / "ko" / "LC_MESSAGES"


def read_catalog(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a gettext catalog (the subset of the format sphinx-intl writes)."""
    messages: dict[str, str] = {}
    key, parts = "", {"msgid": "", "msgstr": ""}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, _, quoted = line.partition(" ")
            if key == "msgid" and parts["msgid"]:
                messages[parts["msgid"]] = parts["msgstr"]
                parts = {"msgid": "", "msgstr": ""}
            parts[key] = ast.literal_eval(quoted)
        elif line.startswith('"') and key:
            parts[key] += ast.literal_eval(line)
    if parts["msgid"]:
        messages[parts["msgid"]] = parts["msgstr"]
    return messages


def catalogs() -> dict[str, dict[str, str]]:
    return {
        path.relative_to(CATALOGS).with_suffix("").as_posix(): read_catalog(path)
        for path in sorted(CATALOGS.glob("**/*.po"))
    }


def translatable(msgid: str) -> bool:
    """False for what the generated tables hold: numbers, and Python versions ("3.14.7t")."""
    return not re.fullmatch(r"(Python )?[\d.]+(rc\d+)?t?( s \([\d.]+\u00d7\))?", msgid)


def markup(text: str) -> list[str]:
    """The code a message refers to: its ``literals`` and :role:`targets`."""
    return sorted(set(re.findall(r"``[^`]+``|:\w+:`[^`]+`", text)))


def test_the_tutorial_and_the_home_page_are_translated_into_korean() -> None:
    pages = catalogs()
    tutorial = {page for page in pages if page.startswith("tutorial/")}
    assert "index" in pages and "tutorial/deadlocks" in tutorial
    assert tutorial == {"tutorial/" + p.stem for p in (DOCS / "tutorial").glob("*.rst")}
    for page, messages in pages.items():
        if page not in tutorial | {"index"} and not any(messages.values()):
            continue  # a page not translated (yet): it shows in English, whole
        for msgid, msgstr in messages.items():
            if translatable(msgid):
                assert msgstr, "%s: no Korean for %r" % (page, msgid[:60])
                assert re.search("[\uac00-\ud7a3]", msgstr) or msgstr == msgid, msgstr
                # A translation keeps every piece of code the English names.
                assert markup(msgstr) == markup(msgid), (page, msgid[:60])


def test_the_korean_catalogs_hold_every_message_of_the_current_pages(tmp_path: Path) -> None:
    # A changed English sentence is a new msgid: the Korean page would show
    # it in English until the catalog is updated (sphinx-intl update).
    pytest.importorskip("sphinx", reason="the docs extra (python -m nox -s docs runs this)")
    child = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "gettext", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    for page, messages in catalogs().items():
        current = {m for m in read_catalog(tmp_path / (page + ".pot")) if translatable(m)}
        stale = sorted(m[:60] for m in current - set(messages))
        assert not stale, "%s: run sphinx-intl update and translate: %s" % (page, stale)


# -- the built site -------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML: $MINIPOOL_DOCS_HTML (nox -s docs sets it), or a fresh build."""
    if os.environ.get("MINIPOOL_DOCS_HTML"):
        return Path(os.environ["MINIPOOL_DOCS_HTML"])
    pytest.importorskip("sphinx", reason="the docs extra (python -m nox -s docs runs this)")
    pytest.importorskip("furo")
    pytest.importorskip("matplotlib")
    output = tmp_path_factory.mktemp("html")
    for language, directory in (("en", output), ("ko", output / "ko")):
        command = ["-b", "html", "-D", f"language={language}", str(DOCS), str(directory)]
        child = subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", *command],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert child.returncode == 0, child.stderr[-3000:]
    return output


def rendered_objects(site: Path) -> set[str]:
    """The Python objects the site documents, from its objects.inv."""
    data = (site / "objects.inv").read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    names = set()
    for line in body.splitlines():
        name, role = line.split(" ", 2)[:2]
        if role.startswith("py:"):
            names.add(name)
    return names


@pytest.mark.timeout(300)  # may build the site
def test_every_public_name_is_rendered(built_site: Path) -> None:
    rendered = rendered_objects(built_site)
    expected = {"minipool.%s" % name for name in minipool.__all__}
    expected |= {"minipool.asyncio.%s" % name for name in minipool.asyncio.__all__}
    expected |= {"minipool.trace.%s" % name for name in minipool.trace.__all__}
    # and every public method of every public class
    for name in minipool.__all__:
        obj = getattr(minipool, name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            expected |= {
                "minipool.%s.%s" % (name, member)
                for member, value in vars(obj).items()
                if not member.startswith("_") and callable(value)
            }
    missing = sorted(expected - rendered)
    assert not missing, "public but not in the docs: %s" % missing


@pytest.mark.timeout(300)
def test_every_page_links_to_itself_in_the_other_language(built_site: Path) -> None:
    pages = sorted(built_site.glob("**/*.html"))
    pages = [
        p
        for p in pages
        if "_modules" not in p.parts and p.name not in ("genindex.html", "search.html")
    ]
    assert len(pages) > 10
    for page in pages:
        match = re.search(r'<a href="([^"]+)" hreflang="(\w+)"', page.read_text(encoding="utf-8"))
        assert match, "no language link in %s" % page
        target = (page.parent / match.group(1)).resolve()
        relative = page.relative_to(built_site)
        in_korean = relative.parts[0] == "ko"
        expected = built_site / (Path(*relative.parts[1:]) if in_korean else Path("ko", relative))
        assert target == expected.resolve(), page
        assert match.group(2) == ("en" if in_korean else "ko")


@pytest.mark.timeout(300)
def test_the_korean_pages_are_built_in_korean(built_site: Path) -> None:
    for page, messages in catalogs().items():
        html = (built_site / "ko" / (page + ".html")).read_text(encoding="utf-8")
        assert re.search(r'<html [^>]*lang="ko"', html), page
        title = messages[(DOCS / (page + ".rst")).read_text(encoding="utf-8").split("\n")[0]]
        assert "<h1>%s" % title in html, page
    english = (built_site / "tutorial" / "deadlocks.html").read_text(encoding="utf-8")
    assert re.search(r'<html [^>]*lang="en"', english) and "Two deadlocks" in english
