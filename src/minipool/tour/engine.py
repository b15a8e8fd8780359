"""Running a step on each implementation and comparing what it observed."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List

from minipool import compare
from minipool.compare import blank_addresses
from minipool.tour.text import translate


class TourError(Exception):
    """Bad input for the tour: reported as one line, exit status 2."""


def load_implementation(name: str) -> ModuleType:
    """Import *name* and check that it has the thread-pool names of concurrent.futures."""
    try:
        return compare.load_implementation(name)
    except compare.ImplementationError as error:
        raise TourError("--impl %s: %s" % (name, error)) from None


@dataclass
class Observation:
    """What one run of a step saw: compared across implementations, and told to the reader."""

    behaviour: Dict[str, Any] = field(default_factory=dict)  # compared with the reference
    narration: List[str] = field(default_factory=list)  # printed, not compared
    seconds: float = 0.0
    timings: Dict[str, float] = field(default_factory=dict)  # a step's own timings, if any
    lang: str = "en"  # the language say() narrates in

    def see(self, key: str, value: Any) -> Any:
        """Record an observable; strings get their addresses blanked.  Returns *value*."""
        self.behaviour[key] = blank_addresses(value) if isinstance(value, str) else value
        return value

    def say(self, message: str, *args: Any) -> None:
        """Tell the reader *message* % *args*, in the tour's language (see minipool.tour.text)."""
        text = translate(message, self.lang)
        self.narration.append(text % args if args else text)


@dataclass
class Step:
    name: str
    run: Callable[[ModuleType, Any, Observation], None]


@dataclass
class StepReport:
    step: str
    observations: Dict[str, Observation]  # implementation name -> what it saw
    reference: str

    def same_as_reference(self, implementation: str) -> bool:
        reference = self.observations[self.reference].behaviour
        return self.observations[implementation].behaviour == reference

    def differences(self, implementation: str) -> List[str]:
        reference = self.observations[self.reference].behaviour
        ours = self.observations[implementation].behaviour
        return [
            "%s: %r, the standard library %r" % (key, ours.get(key), reference.get(key))
            for key in sorted(set(reference) | set(ours))
            if ours.get(key) != reference.get(key)
        ]


class _LogRecorder(logging.Handler):
    """Keeps what the pools log (logger "concurrent.futures", which both use) during a step."""

    def __init__(self) -> None:
        super().__init__()
        self.records: List[Any] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.records.append(
            (
                record.levelname,
                blank_addresses(record.getMessage()),
                type(error).__name__ if error is not None else None,
                blank_addresses(str(error)) if error is not None else None,
            )
        )


def run_step(step: Step, implementations: Dict[str, ModuleType], settings: Any) -> StepReport:
    """Run *step* on every implementation, the reference (the first) first.

    What the pools log during the step is part of what is compared (and is
    kept off the terminal: the step narrates it if it matters).
    """
    logger = logging.getLogger("concurrent.futures")
    observations = {}
    for name, module in implementations.items():
        observation = Observation(lang=getattr(settings, "lang", "en"))
        recorder = _LogRecorder()
        logger.addHandler(recorder)
        propagate, logger.propagate = logger.propagate, False
        started = time.perf_counter()
        try:
            step.run(module, settings, observation)
        except Exception as failure:
            # A wrong implementation may make a step fail where the standard
            # library does not: that is a divergence to report, not a crash.
            observation.see("step raised", "%s: %s" % (type(failure).__name__, failure))
            observation.say("the step failed: %s: %s", type(failure).__name__, failure)
        finally:
            observation.seconds = time.perf_counter() - started
            logger.removeHandler(recorder)
            logger.propagate = propagate
        observation.see("log", recorder.records)
        for level, message, error_type, error_text in recorder.records:
            observation.say(
                "the pool logged (%s) %r%s",
                level,
                message,
                ": %s: %s" % (error_type, error_text) if error_type else "",
            )
        observations[name] = observation
    return StepReport(step.name, observations, reference=next(iter(implementations)))
