"""Fashion-MNIST, found locally when possible and always verified.

:func:`load_fashion_mnist` looks for the four original ``.gz`` files in this order and uses the
first place that has them:

1. the ``path`` argument (a directory);
2. the directory named by the environment variable ``D2L_OPT_DATA``;
3. the user cache: ``fashion-mnist.npz`` (parsed arrays written by an earlier load) in
   ``cache_dir``, else ``$D2L_OPT_CACHE``, else ``$XDG_CACHE_HOME/d2l_opt``, else
   ``~/.cache/d2l_opt``;
4. Debian's package ``dataset-fashion-mnist`` (:data:`DEBIAN_DIR`);
5. a download from the official mirror into ``<cache>/fashion-mnist/`` (files already
   downloaded there are reused), unless downloading is switched off.

A place named by you (1 and 2) is used as it is and never written to: a missing or damaged file
there is an error, not a reason to look elsewhere. Data found in places 4 and 5 is parsed once and
cached (place 3) so that the next load takes a fraction of a second.

Every file is verified. An official ``.gz`` file is recognised by its MD5; any other gzip file
(Debian strips the file name from the gzip header, which changes the MD5 but not the content) is
decompressed and the MD5 of its content compared with the known one. IDX headers are checked
(magic number, shape, length) before that, so that the error says what is wrong. The cached
arrays are checked against the same content MD5s every time they are read; a cache that fails is
ignored, with a warning, and rebuilt. Cache and download files are written to a temporary file in
the same directory and renamed into place, so an interrupted write never leaves a file that a
later load trusts.

Errors are :class:`DataError` subclasses whose messages name the file, what was expected and how
to fix it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np

__all__ = [
    "CACHE_ENV",
    "CACHE_NAME",
    "DATA_ENV",
    "DEBIAN_DIR",
    "DOWNLOAD_ENV",
    "FASHION_MNIST_CLASSES",
    "FILES",
    "MIRROR",
    "ChecksumError",
    "CorruptFileError",
    "DataError",
    "DatasetNotFoundError",
    "DownloadError",
    "FashionMNIST",
    "Split",
    "default_cache_dir",
    "load_fashion_mnist",
]

#: Class names, indexed by label.
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

DATA_ENV = "D2L_OPT_DATA"
CACHE_ENV = "D2L_OPT_CACHE"
#: Set to 0/false/no/off to forbid downloads when ``download`` is not given (CI does).
DOWNLOAD_ENV = "D2L_OPT_DOWNLOAD"
#: Where Debian's ``dataset-fashion-mnist`` puts the files (same names, header-stripped gzip).
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
#: The official mirror named in the Fashion-MNIST README.
MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
#: Name of the parsed-array cache inside the cache directory.
CACHE_NAME = "fashion-mnist.npz"
DOWNLOAD_SUBDIR = "fashion-mnist"

_OFF = ("0", "false", "no", "off")
_IMAGE_SHAPE = (28, 28)
_CHUNK = 1 << 20


class _FileSpec(NamedTuple):
    key: str  # key in the cache
    name: str  # file name, identical in the official release and in Debian
    gz_md5: str  # MD5 of the official .gz file
    raw_md5: str  # MD5 of the decompressed IDX file (header included)
    shape: tuple[int, ...]

    @property
    def magic(self) -> int:
        # IDX: two zero bytes, type code 0x08 (unsigned byte), number of dimensions.
        return 0x0800 | len(self.shape)

    @property
    def header_size(self) -> int:
        return 4 + 4 * len(self.shape)

    @property
    def raw_size(self) -> int:
        return self.header_size + int(np.prod(self.shape))

    def header(self) -> bytes:
        return b"".join(int(v).to_bytes(4, "big") for v in (self.magic, *self.shape))


# gz MD5s: the official list. Content MD5s: computed once from the official files with
# `zcat FILE | md5sum`; Debian's re-packed files decompress to the same bytes.
# Labels first: a damaged small file is reported before the images are decompressed.
FILES = (
    _FileSpec(
        "train_labels",
        "train-labels-idx1-ubyte.gz",
        "25c81989df183df01b3e8a0aad5dffbe",
        "9018921c3c673c538a1fc5bad174d6f9",
        (60000,),
    ),
    _FileSpec(
        "test_labels",
        "t10k-labels-idx1-ubyte.gz",
        "bb300cfdad3c16e7a12a480ee83cd310",
        "15d484375f8d13e6eb1aabb0c3f46965",
        (10000,),
    ),
    _FileSpec(
        "train_images",
        "train-images-idx3-ubyte.gz",
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        (60000, *_IMAGE_SHAPE),
    ),
    _FileSpec(
        "test_images",
        "t10k-images-idx3-ubyte.gz",
        "bef4ecab320f06d8554ea6380940ec79",
        "8181f5470baa50b63fa0f6fddb340f0a",
        (10000, *_IMAGE_SHAPE),
    ),
)

_GENERAL_FIX = (
    f"set {DATA_ENV} to a directory holding the four original Fashion-MNIST .gz files, "
    "or install Debian's copy (sudo apt-get install dataset-fashion-mnist), "
    "or call load_fashion_mnist(download=True)"
)


class DataError(OSError):
    """A data file is missing, damaged or not what was expected.

    Attributes: ``path`` (the file), ``expected`` (what it should have been), ``fix`` (what to
    do about it). ``str(error)`` says all three.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str, expected: str, fix: str):
        self.path = str(path)
        self.expected = expected
        self.fix = fix
        super().__init__(f"{self.path}: {problem}; expected {expected}. To fix: {fix}.")


class DatasetNotFoundError(DataError, FileNotFoundError):
    """A file is missing where it was looked for (or nowhere was it found)."""


class CorruptFileError(DataError):
    """A file is not a complete gzip stream, or its IDX header or length is wrong."""


class ChecksumError(DataError):
    """A file parses but its content is not the original Fashion-MNIST."""


class DownloadError(DataError):
    """Fetching a file from the mirror failed."""


class Split(NamedTuple):
    images: Any  # torch.Tensor or np.ndarray
    labels: Any


class FashionMNIST(NamedTuple):
    """``(x_train, y_train), (x_test, y_test) = load_fashion_mnist()`` unpacks it."""

    train: Split
    test: Split


def default_cache_dir() -> Path:
    """``$D2L_OPT_CACHE``, else ``$XDG_CACHE_HOME/d2l_opt``, else ``~/.cache/d2l_opt``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "d2l_opt"
    return Path.home() / ".cache" / "d2l_opt"


# Indirection so that tests can replace the network with a fake opener.
_urlopen: Callable[..., Any] = urllib.request.urlopen


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    as_numpy: bool = False,
    normalize: bool = True,
    flatten: bool = True,
    download: bool | str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> FashionMNIST:
    """Load Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))``.

    Images come as float32 in [0, 1] (``normalize=True``) or the raw uint8 pixels, shaped
    ``(N, 784)`` (``flatten=True``, rows of the 28x28 image one after another) or
    ``(N, 1, 28, 28)``. Labels are int64 in 0..9 (names in :data:`FASHION_MNIST_CLASSES`).
    N is 60000 for training and 10000 for test. torch tensors by default, numpy arrays with
    ``as_numpy=True``.

    ``download``: ``None`` downloads as a last resort unless ``$D2L_OPT_DOWNLOAD`` is
    0/false/no/off; ``True``/``False`` allow/forbid it; a string is used as the mirror's base
    URL instead of :data:`MIRROR` (for example ``file:///srv/mirror/``) and allows downloading.
    See the module docstring for where the data is looked for and how it is verified.
    """
    arrays = _find_arrays(path, download, Path(cache_dir) if cache_dir else default_cache_dir())
    return _present(arrays, as_numpy=as_numpy, normalize=normalize, flatten=flatten)


# --------------------------------------------------------------------------------------- lookup


def _find_arrays(
    path: str | os.PathLike[str] | None, download: bool | str | None, cache: Path
) -> dict[str, np.ndarray]:
    if path is not None:
        return _read_dir(Path(path), fix=f"pass a directory holding the four files ({_names()})")
    if os.environ.get(DATA_ENV):
        where = os.environ[DATA_ENV]
        return _read_dir(
            Path(where).expanduser(),
            fix=f"point {DATA_ENV} (now {where!r}) at a directory holding the four original "
            f"files ({_names()}), or unset it",
        )

    cache_file = cache / CACHE_NAME
    arrays = _read_cache(cache_file)
    if arrays is not None:
        return arrays

    if any((DEBIAN_DIR / spec.name).exists() for spec in FILES):
        arrays = _read_dir(
            DEBIAN_DIR,
            fix="reinstall Debian's copy (sudo apt-get install --reinstall dataset-fashion-mnist) "
            f"or set {DATA_ENV} to another copy",
        )
    else:
        arrays = _download_all(cache / DOWNLOAD_SUBDIR, download, cache_file)
    _write_cache(cache_file, arrays)
    return arrays


def find_data_dir() -> Path | None:
    """The folder holding the four original files, without reading them: ``$D2L_OPT_DATA``,
    else Debian's :data:`DEBIAN_DIR`; ``None`` when neither has them (the grader then binds no
    data folder into its sandbox, and packs none into a Gradescope autograder)."""
    candidates = [os.environ.get(DATA_ENV), DEBIAN_DIR]
    for where in candidates:
        if where and all((Path(where).expanduser() / spec.name).is_file() for spec in FILES):
            return Path(where).expanduser().resolve()
    return None


def _md5(blob: bytes) -> str:
    return hashlib.md5(blob, usedforsecurity=False).hexdigest()  # integrity, not security


def _names() -> str:
    return ", ".join(spec.name for spec in FILES)


def _read_dir(directory: Path, fix: str) -> dict[str, np.ndarray]:
    arrays = {}
    for spec in FILES:
        file = directory / spec.name
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise DatasetNotFoundError(
                file, "no such file", f"the Fashion-MNIST file {spec.name} here", fix
            ) from None
        arrays[spec.key] = _parse_gz(data, spec, file, fix)
    return arrays


def _parse_gz(data: bytes, spec: _FileSpec, file: Path | str, fix: str) -> np.ndarray:
    """Decompress, check the IDX header and the content; return the array (a view of raw)."""
    gz_md5 = _md5(data)
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptFileError(
            file,
            f"not a complete gzip file ({exc})",
            f"a gzip stream that decompresses to {spec.raw_size} bytes",
            fix,
        ) from None
    array = _parse_idx(raw, spec, file, fix)
    if gz_md5 != spec.gz_md5:  # not the official file byte for byte: check the content
        raw_md5 = _md5(raw)
        if raw_md5 != spec.raw_md5:
            raise ChecksumError(
                file,
                f"checksum mismatch (gzip MD5 {gz_md5}, content MD5 {raw_md5})",
                f"gzip MD5 {spec.gz_md5} (official file) or content MD5 {spec.raw_md5} "
                "(any re-compressed copy)",
                fix,
            )
    return array


def _parse_idx(raw: bytes, spec: _FileSpec, file: Path | str, fix: str) -> np.ndarray:
    if len(raw) < spec.header_size:
        raise CorruptFileError(
            file,
            f"only {len(raw)} bytes, too short for an IDX header",
            f"a {spec.header_size}-byte header followed by {spec.raw_size - spec.header_size} "
            "bytes",
            fix,
        )
    magic = int.from_bytes(raw[:4], "big")
    if magic != spec.magic:
        raise CorruptFileError(
            file,
            f"bad IDX magic number 0x{magic:08x}",
            f"0x{spec.magic:08x} (unsigned bytes, {len(spec.shape)} dimension(s))",
            fix,
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(len(spec.shape)))
    if shape != spec.shape:
        raise CorruptFileError(file, f"IDX header gives shape {shape}", f"shape {spec.shape}", fix)
    if len(raw) != spec.raw_size:
        raise CorruptFileError(
            file,
            f"{len(raw) - spec.header_size} bytes of data after the header",
            f"{spec.raw_size - spec.header_size} bytes for shape {spec.shape}",
            fix,
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=spec.header_size).reshape(spec.shape)


# ---------------------------------------------------------------------------------------- cache


def _read_cache(cache_file: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays if the file exists and its content is exactly the dataset, else None."""
    if not cache_file.exists():
        return None
    try:
        with np.load(cache_file, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(spec.key for spec in FILES):
                raise ValueError(f"keys {sorted(npz.files)}")
            arrays = {spec.key: npz[spec.key] for spec in FILES}
        for spec in FILES:
            array = arrays[spec.key]
            if array.dtype != np.uint8 or array.shape != spec.shape:
                raise ValueError(f"{spec.key} is {array.dtype} {array.shape}")
            digest = hashlib.md5(spec.header(), usedforsecurity=False)
            digest.update(np.ascontiguousarray(array))
            if digest.hexdigest() != spec.raw_md5:
                raise ValueError(f"{spec.key} differs from the dataset")
    except Exception as exc:  # anything unreadable or wrong is a cache miss
        warnings.warn(
            f"ignoring the Fashion-MNIST cache {cache_file} ({exc}); it will be rebuilt",
            stacklevel=4,
        )
        return None
    return arrays


def _write_cache(cache_file: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the cache atomically; a cache that cannot be written only costs speed later."""
    try:
        with _atomic_file(cache_file) as handle:
            np.savez(handle, **arrays)
    except OSError as exc:
        warnings.warn(f"could not write the Fashion-MNIST cache {cache_file} ({exc})", stacklevel=4)


@contextmanager
def _atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``target`` that replaces it only if the block completes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # mkstemp's 0o600 would hide a shared cache from others
        os.replace(handle.name, target)
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)


# ------------------------------------------------------------------------------------- download


def _download_all(
    directory: Path, download: bool | str | None, cache_file: Path
) -> dict[str, np.ndarray]:
    """Files already downloaded into ``directory`` are reused; the others are fetched."""
    if download is None:
        download = os.environ.get(DOWNLOAD_ENV, "").strip().lower() not in _OFF
    mirror = download if isinstance(download, str) else MIRROR
    mirror = mirror if mirror.endswith("/") else mirror + "/"
    arrays = {}
    for spec in FILES:
        file = directory / spec.name
        fix = f"delete {file} to download it again, or {_GENERAL_FIX}"
        if file.exists():
            arrays[spec.key] = _parse_gz(file.read_bytes(), spec, file, fix)
            continue
        if not download:
            tried = (
                f"looked in {DATA_ENV} (unset), the cache {cache_file} (missing or unusable), "
                f"Debian's {DEBIAN_DIR} (absent) and {directory} (no {spec.name}); downloading "
                f"is off (download=False or {DOWNLOAD_ENV}=0)"
            )
            raise DatasetNotFoundError(
                file, tried, f"the Fashion-MNIST file {spec.name}", _GENERAL_FIX
            )
        arrays[spec.key] = _fetch(mirror + spec.name, file, spec)
    return arrays


def _fetch(url: str, file: Path, spec: _FileSpec) -> np.ndarray:
    fix = f"try again, pass another mirror as download='https://...', or {_GENERAL_FIX}"
    print(f"downloading {url} to {file.parent}", file=sys.stderr)
    with _atomic_file(file) as handle:
        try:
            with _urlopen(url, timeout=60) as response:
                while chunk := response.read(_CHUNK):
                    handle.write(chunk)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DownloadError(
                url, f"download failed ({exc})", f"the file {spec.name}", fix
            ) from None
        handle.seek(0)
        # Verified before it is renamed into place: a bad download never lands in the cache.
        array = _parse_gz(handle.read(), spec, url, fix)
    return array


# ------------------------------------------------------------------------------------- present


def _present(
    arrays: dict[str, np.ndarray], *, as_numpy: bool, normalize: bool, flatten: bool
) -> FashionMNIST:
    splits = []
    for part in ("train", "test"):
        images = arrays[f"{part}_images"]
        if normalize:
            images = images.astype(np.float32)
            images /= np.float32(255)  # division, not * (1/255): exact for every pixel value
        elif not images.flags.writeable:
            images = images.copy()  # torch wants writable memory
        images = images.reshape(len(images), -1) if flatten else images[:, None]
        labels = arrays[f"{part}_labels"].astype(np.int64)
        if not as_numpy:
            import torch

            images, labels = torch.from_numpy(images), torch.from_numpy(labels)
        splits.append(Split(images, labels))
    return FashionMNIST(*splits)
