"""The configuration document (rootly/config.h): load, validate, report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple, Union

from ._native import n as _n
from ._native import raise_last

__all__ = ["Config", "ConfigError", "ConfigProblem"]


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a document: where (path, line, column) and what."""

    path: str
    line: int
    column: int
    message: str


class ConfigError(_n.InvalidError):
    """The document has problems; ``problems`` lists every one, ``report``
    is librootly's text (one ``FILE:LINE:COL: PATH: MESSAGE`` per line)."""

    problems: List[ConfigProblem]
    report: str

    def __init__(self, message: str, problems: List[ConfigProblem], report: str) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems
        self.report = report


def _problems(rep: Any) -> Tuple[List[ConfigProblem], str]:
    if rep is None:
        return [], ""
    probs = [ConfigProblem(**_n.rootly_config_report_at(rep, i)) for i in range(_n.rootly_config_report_count(rep))]
    return probs, _n.rootly_config_report_to_text(rep)


class Config:
    """A validated configuration. Build with Config.load(path) or
    Config.parse(text, format=None); a document with problems raises
    ConfigError listing them all. Give it to a context with
    ``ctx.configure(config)`` (the context gets its own copy)."""

    def __init__(self, _handle: Any, _path: Optional[str], _text: Optional[bytes], _format: Optional[str]) -> None:
        #: the file it was loaded from, if any
        self.path = _path
        self._h = _handle
        self._path = _path
        self._text = _text
        self._format = _format

    @classmethod
    def _load(cls, path: Optional[str], text: Optional[bytes], fmt: Optional[str]) -> "Config":
        rc, cfg, rep = _n.rootly_swig_config_load(path, text, fmt)
        if rc == 0:
            if rep is not None:
                rep.__swig_destroy__(rep)
                rep.thisown = False
            return cls(cfg, path, text, fmt)
        err = _n.rootly_error_last()
        message = err.message if err.code == rc else _n.rootly_strerror(rc)
        if rc == _n.ROOTLY_EINVALID and rep is not None:
            probs, text_report = _problems(rep)
            raise ConfigError(message, probs, text_report)
        raise_last(rc)
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Config":
        """Load a YAML (.yaml/.yml) or JSON (.json) file. The document is
        kept, so a context configured later gets what was validated here
        even if the file changes."""
        p = os.fspath(path)
        cfg = cls._load(p, None, None)
        with open(p, "rb") as f:
            text = f.read()
        ext = os.path.splitext(p)[1].lower()
        fmt = "json" if ext == ".json" else "yaml" if ext in (".yaml", ".yml") else None
        # the same bytes, validated again from memory (the file may have changed)
        checked = cls._load(None, text, fmt)
        checked._path = checked.path = p
        cfg.close()
        return checked

    @classmethod
    def parse(cls, text: Union[str, bytes], format: Optional[str] = None) -> "Config":
        """Load a document held in memory; format "yaml", "json" or None (sniffed)."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls._load(None, data, format)

    @classmethod
    def check(cls, text: Union[str, bytes], format: Optional[str] = None) -> List[ConfigProblem]:
        """The problems of a document ([] when it is valid)."""
        try:
            cls.parse(text, format)
        except ConfigError as e:
            return e.problems
        return []

    def _handle(self) -> Any:
        if self._h is None:
            raise ValueError("operation on a closed rootly.Config")
        return self._h

    @property
    def routes_count(self) -> int:
        return _n.rootly_config_routes_count(self._handle())

    @property
    def silences_count(self) -> int:
        return _n.rootly_config_silences_count(self._handle())

    @property
    def sources_count(self) -> int:
        return _n.rootly_config_sources_count(self._handle())

    def close(self) -> None:
        h, self._h = self._h, None
        if h is not None:
            h.__swig_destroy__(h)
            h.thisown = False

    def __enter__(self) -> "Config":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
