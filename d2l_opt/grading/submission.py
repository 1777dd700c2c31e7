"""One submission file: the student's notebook plus a manifest with its hash.

``export`` writes ``submission.zip`` holding ``notebook.ipynb`` and ``manifest.json``::

    {"format": "d2l-opt-submission/1", "exercise": "rmsprop", "student": "...",
     "notebook": "notebook.ipynb", "sha256": "...", "created": "...", "d2l_opt": "0.1.0"}

``read_submission`` accepts such a zip or a bare ``.ipynb`` and never trusts it: sizes are
capped, a hash mismatch is reported, and anything unreadable raises :class:`SubmissionError`
with a reason that goes into the report.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .notebook import exercise_name

__all__ = ["FORMAT", "Submission", "SubmissionError", "export", "read_submission"]

FORMAT = "d2l-opt-submission/1"
MAX_BYTES = 20 << 20
NOTEBOOK_MEMBER = "notebook.ipynb"


class SubmissionError(ValueError):
    """The file is not a readable submission; the message says why."""


@dataclass
class Submission:
    path: Path
    notebook: dict
    raw: bytes
    exercise: str | None
    student: str
    notes: list[str] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export(
    notebook: str | Path | None = None,
    out: str | Path = "submission.zip",
    *,
    student: str | None = None,
) -> Path:
    """Package a notebook as one submission file and return its path.

    In Google Colab, call ``export()`` without a notebook: the open notebook is taken from
    Colab (save it first), and the browser is offered the file (``google.colab.files``).
    Elsewhere pass the notebook's path.
    """
    if notebook is None:
        raw = _colab_notebook()
        source_name = "colab.ipynb"
    else:
        raw = Path(notebook).read_bytes()
        source_name = Path(notebook).name
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise SubmissionError(f"{source_name} is not a readable notebook: {exc}") from None
    manifest = {
        "format": FORMAT,
        "exercise": exercise_name(nb),
        "student": student or "",
        "notebook": NOTEBOOK_MEMBER,
        "source_name": source_name,
        "sha256": _sha256(raw),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "d2l_opt": _version(),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(NOTEBOOK_MEMBER, raw)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    _offer_download(out)
    return out


def _offer_download(path: Path) -> None:
    """In Colab the file is on the runtime's disk: offer it as a browser download too."""
    try:
        from google.colab import files  # type: ignore[import-not-found]
    except ImportError:
        return
    files.download(str(path))


def _version() -> str:
    from d2l_opt import __version__

    return __version__


def _colab_notebook() -> bytes:  # pragma: no cover - needs Google Colab
    try:
        from google.colab import _message  # type: ignore[import-not-found]
    except ImportError:
        raise SubmissionError("pass the notebook's path: export('rmsprop.ipynb')") from None
    nb = _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]
    return json.dumps(nb).encode()


def read_submission(path: str | Path) -> Submission:
    """Open a submission zip (or a bare notebook) without trusting it."""
    path = Path(path)
    notes: list[str] = []
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read the file ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise SubmissionError(f"the file is too large ({size} bytes)")
    data = path.read_bytes()
    manifest: dict = {}
    if zipfile.is_zipfile(io.BytesIO(data)):
        raw, manifest = _from_zip(data, notes)
    else:
        raw = data
    try:
        text = raw.decode("utf-8")
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the submission's fault
        raise SubmissionError(f"the notebook cannot be read ({type(exc).__name__})") from None
    if not isinstance(notebook.get("cells"), list):
        raise SubmissionError("the notebook has no list of cells")
    exercise = exercise_name(notebook)
    claimed = manifest.get("exercise")
    if exercise is None and isinstance(claimed, str):
        exercise = (
            claimed if exercise_name({"metadata": {"d2l_opt": {"exercise": claimed}}}) else None
        )
    student = manifest.get("student") if isinstance(manifest.get("student"), str) else ""
    return Submission(path, notebook, raw, exercise, student[:100] or path.stem, notes)


def _from_zip(data: bytes, notes: list[str]) -> tuple[bytes, dict]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()[:20]}
        manifest: dict = {}
        if "manifest.json" in infos and infos["manifest.json"].file_size < 100_000:
            try:
                loaded = json.loads(archive.read("manifest.json"))
                manifest = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                notes.append("manifest.json is not valid JSON")
        else:
            notes.append("no manifest.json in the submission")
        member = manifest.get("notebook", NOTEBOOK_MEMBER)
        if member not in infos:
            candidates = [n for n in infos if n.endswith(".ipynb")]
            if not candidates:
                raise SubmissionError("the zip holds no notebook")
            member = candidates[0]
        if infos[member].file_size > MAX_BYTES:
            raise SubmissionError("the notebook in the zip is too large")
        with archive.open(member) as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise SubmissionError("the notebook in the zip is too large")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError) as exc:
        raise SubmissionError(f"the zip file is damaged ({type(exc).__name__})") from None
    expected = manifest.get("sha256")
    if isinstance(expected, str) and expected != _sha256(raw):
        notes.append("the notebook does not match the hash in its manifest (edited after export)")
    return raw, manifest
