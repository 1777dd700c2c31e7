"""d2l_opt.data: every place the loader looks, every way a file can be bad, the cache's safety.

The real files are found as tests/fashion_data.py says; without them the tests skip. Nothing here
touches the network: downloads are served from file:// URLs or a fake opener.
"""

from __future__ import annotations

import gzip
import io
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
from fashion_data import NAMES, SOURCE, needs_data

from d2l_opt import data
from d2l_opt.data import (
    FASHION_MNIST_CLASSES,
    ChecksumError,
    CorruptFileError,
    DataError,
    DatasetNotFoundError,
    DownloadError,
    load_fashion_mnist,
)

REAL_SAVEZ = np.savez
LABELS = "train-labels-idx1-ubyte.gz"  # checked first, so errors in it are quick
assert data.FILES[0].name == LABELS
pytestmark = needs_data  # SOURCE is found before the fixture below clears the environment


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No user environment, an empty cache, no Debian copy, only file:// URLs can be opened."""
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.delenv(data.DOWNLOAD_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")

    def local_only(url, *args, **kwargs):
        if not url.startswith("file:"):
            pytest.fail(f"the loader tried to download {url}")
        return urllib.request.urlopen(url, *args, **kwargs)

    monkeypatch.setattr(data, "_urlopen", local_only)


@pytest.fixture(scope="module")
def reference():
    """The dataset as numpy arrays, loaded once: ((x_train, y_train), (x_test, y_test))."""
    return load_fashion_mnist(SOURCE, as_numpy=True)


def strip_gzip_name(blob: bytes) -> bytes:
    """What Debian did to the files: no file name in the gzip header; a zero mtime here too, so
    that even Debian's own copy changes. The deflate stream, and so the content, is untouched."""
    flags = blob[3]
    assert blob[:3] == b"\x1f\x8b\x08" and flags in (0, 0x08)  # at most a file name
    start = blob.index(b"\0", 10) + 1 if flags else 10
    return blob[:3] + b"\0" + b"\0\0\0\0" + blob[8:10] + blob[start:]


def copy_source(directory: Path, *, strip: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        blob = (SOURCE / name).read_bytes()
        (directory / name).write_bytes(strip_gzip_name(blob) if strip else blob)
    return directory


def same_as_reference(loaded, reference) -> bool:
    return all(
        np.array_equal(np.asarray(got), want)
        for got_split, want_split in zip(loaded, reference, strict=True)
        for got, want in zip(got_split, want_split, strict=True)
    )


def cache_file() -> Path:
    return data.default_cache_dir() / data.CACHE_NAME


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# ------------------------------------------------------------------------------ what comes back


def test_shapes_types_and_values(reference):
    (x, y), (xt, yt) = reference
    assert x.shape == (60000, 784) and xt.shape == (10000, 784)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[9] == "Ankle boot"


def test_torch_by_default_flat_float_in_unit_interval(reference):
    loaded = load_fashion_mnist(SOURCE)
    (x, y), (xt, yt) = loaded
    assert isinstance(x, torch.Tensor) and isinstance(yt, torch.Tensor)
    assert x.shape == (60000, 784) and xt.shape == (10000, 784)
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert loaded.train.images is x and loaded.test.labels is yt
    assert same_as_reference(loaded, reference)


def test_numpy_on_request_raw_pixels_and_image_shape(reference):
    (x, y), (xt, _) = load_fashion_mnist(SOURCE, as_numpy=True, normalize=False, flatten=False)
    assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
    assert x.shape == (60000, 1, 28, 28) and xt.shape == (10000, 1, 28, 28)
    assert x.dtype == np.uint8 and y.dtype == np.int64 and x.flags.writeable
    assert np.array_equal(x.reshape(60000, 784) / np.float32(255), reference[0][0])


# ------------------------------------------------------------------------ the places, in order


def test_explicit_path_comes_first(monkeypatch, tmp_path, reference):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "not-this-one"))
    assert same_as_reference(load_fashion_mnist(SOURCE), reference)
    assert not cache_file().exists()  # a place you name is only read


def test_environment_variable(monkeypatch, reference):
    monkeypatch.setenv(data.DATA_ENV, str(SOURCE))
    assert same_as_reference(load_fashion_mnist(), reference)
    assert not cache_file().exists()


def test_environment_variable_pointing_nowhere_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "empty"))
    with pytest.raises(DatasetNotFoundError) as error:
        load_fashion_mnist()
    message = str(error.value)
    assert NAMES[0] in message and data.DATA_ENV in message and "unset it" in message


def test_debian_copy_then_the_user_cache(monkeypatch, tmp_path, reference):
    debian = copy_source(tmp_path / "debian", strip=True)  # different gz MD5s, same content
    assert (debian / NAMES[0]).read_bytes() != (SOURCE / NAMES[0]).read_bytes()
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    assert same_as_reference(load_fashion_mnist(download=False), reference)
    assert cache_file().is_file() and leftovers(cache_file().parent) == []
    assert cache_file().stat().st_mode & 0o777 == 0o644

    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "gone")  # now only the cache has it
    assert same_as_reference(load_fashion_mnist(download=False), reference)


def test_user_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "a"))
    assert data.default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv(data.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.default_cache_dir() == tmp_path / "xdg" / "d2l_opt"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data.default_cache_dir() == Path.home() / ".cache" / "d2l_opt"


def test_cache_dir_argument_wins(monkeypatch, tmp_path, reference):
    monkeypatch.setattr(data, "DEBIAN_DIR", SOURCE)
    load_fashion_mnist(cache_dir=tmp_path / "mine", download=False)
    assert (tmp_path / "mine" / data.CACHE_NAME).is_file() and not cache_file().exists()


def test_download_from_a_mirror_url(tmp_path, reference):
    mirror = copy_source(tmp_path / "mirror", strip=True)  # a mirror that re-compressed them
    loaded = load_fashion_mnist(download=mirror.as_uri() + "/")
    assert same_as_reference(loaded, reference)
    downloaded = data.default_cache_dir() / data.DOWNLOAD_SUBDIR
    assert sorted(p.name for p in downloaded.iterdir()) == sorted(NAMES)
    assert cache_file().is_file()

    cache_file().unlink()  # the downloaded files are reused without the network
    assert same_as_reference(load_fashion_mnist(download=False), reference)


def test_default_download_uses_the_official_mirror(monkeypatch):
    requested = []

    def fake_urlopen(url, timeout):
        requested.append(url)
        return io.BytesIO((SOURCE / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(data, "_urlopen", fake_urlopen)
    load_fashion_mnist()
    assert requested == [data.MIRROR + name for name in NAMES]


def test_download_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv(data.DOWNLOAD_ENV, "0")
    with pytest.raises(DatasetNotFoundError) as error:
        load_fashion_mnist()
    message = str(error.value)
    for hint in (NAMES[0], data.DATA_ENV, "apt-get install dataset-fashion-mnist", "download"):
        assert hint in message


# ----------------------------------------------------------------------------- what goes wrong


def bad_dir(tmp_path: Path, name: str, content: bytes) -> Path:
    directory = copy_source(tmp_path / "bad")
    (directory / name).write_bytes(content)
    return directory


def idx_labels(labels: np.ndarray, magic: int = 0x801, count: int | None = None) -> bytes:
    count = len(labels) if count is None else count
    header = magic.to_bytes(4, "big") + count.to_bytes(4, "big")
    return gzip.compress(header + labels.astype(np.uint8).tobytes())


def test_missing_file(tmp_path):
    directory = copy_source(tmp_path / "partial")
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match="t10k-labels-idx1-ubyte.gz") as error:
        load_fashion_mnist(directory)
    assert isinstance(error.value, FileNotFoundError) and isinstance(error.value, DataError)
    assert error.value.path == str(directory / "t10k-labels-idx1-ubyte.gz")


def test_truncated_gzip(tmp_path):
    blob = (SOURCE / LABELS).read_bytes()
    directory = bad_dir(tmp_path, LABELS, blob[: len(blob) // 2])
    with pytest.raises(CorruptFileError, match="not a complete gzip file") as error:
        load_fashion_mnist(directory)
    assert LABELS in str(error.value) and "60008 bytes" in str(error.value)


def test_not_gzip_at_all(tmp_path):
    directory = bad_dir(tmp_path, LABELS, b"<html>404 not found</html>")
    with pytest.raises(CorruptFileError, match="not a complete gzip file"):
        load_fashion_mnist(directory)


def test_bad_magic(tmp_path, reference):
    directory = bad_dir(tmp_path, LABELS, idx_labels(reference[0][1], magic=0x803))
    with pytest.raises(CorruptFileError, match="bad IDX magic number 0x00000803") as error:
        load_fashion_mnist(directory)
    assert "expected 0x00000801" in str(error.value)


def test_wrong_count_in_header(tmp_path, reference):
    directory = bad_dir(tmp_path, LABELS, idx_labels(reference[0][1], count=59999))
    with pytest.raises(CorruptFileError, match=r"shape \(59999,\); expected shape \(60000,\)"):
        load_fashion_mnist(directory)


def test_wrong_length(tmp_path, reference):
    directory = bad_dir(tmp_path, LABELS, idx_labels(reference[0][1][:-5], count=60000))
    with pytest.raises(CorruptFileError, match="59995 bytes of data after the header"):
        load_fashion_mnist(directory)


def test_checksum_mismatch(tmp_path, reference):
    labels = reference[0][1].copy()
    labels[0] = (labels[0] + 1) % 10  # right header, right length, wrong content
    directory = bad_dir(tmp_path, LABELS, idx_labels(labels))
    with pytest.raises(ChecksumError) as error:
        load_fashion_mnist(directory)
    message = str(error.value)
    assert LABELS in message and data.FILES[0].gz_md5 in message
    assert data.FILES[0].raw_md5 in message and "To fix" in message


def test_broken_debian_copy_is_reported_not_skipped(monkeypatch, tmp_path):
    debian = copy_source(tmp_path / "debian", strip=True)
    (debian / NAMES[2]).unlink()
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    with pytest.raises(DatasetNotFoundError, match="apt-get install --reinstall") as error:
        load_fashion_mnist()
    assert NAMES[2] in str(error.value)


def test_failed_download(monkeypatch):
    def refused(url, timeout):
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(data, "_urlopen", refused)
    with pytest.raises(DownloadError, match="connection refused") as error:
        load_fashion_mnist(download=True)
    assert error.value.path == data.MIRROR + NAMES[0]
    downloads = data.default_cache_dir() / data.DOWNLOAD_SUBDIR
    assert list(downloads.iterdir()) == []  # no half file


def test_truncated_download_never_lands(monkeypatch):
    def short(url, timeout):
        return io.BytesIO((SOURCE / url.rsplit("/", 1)[1]).read_bytes()[:1000])

    monkeypatch.setattr(data, "_urlopen", short)
    with pytest.raises(CorruptFileError):
        load_fashion_mnist(download=True)
    downloads = data.default_cache_dir() / data.DOWNLOAD_SUBDIR
    assert list(downloads.iterdir()) == [] and not cache_file().exists()


def test_damaged_download_in_cache_is_reported(tmp_path):
    downloads = copy_source(data.default_cache_dir() / data.DOWNLOAD_SUBDIR)
    (downloads / NAMES[3]).write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(CorruptFileError, match=f"delete .*{NAMES[3]}"):
        load_fashion_mnist(download=False)


# ------------------------------------------------------------------------------- cache safety


@pytest.fixture
def debian(monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_DIR", SOURCE)  # a source for rebuilding the cache
    return SOURCE


def crash_mid_write(handle, **arrays):
    handle.write(b"PK\x03\x04 half a zip file")
    raise KeyboardInterrupt  # Ctrl-C in the middle of the write


def crash_before_rename(handle, **arrays):
    REAL_SAVEZ(handle, **arrays)
    raise SystemExit("killed after writing, before the rename")


@pytest.mark.parametrize("crash", [crash_mid_write, crash_before_rename])
def test_interrupted_cache_write_leaves_nothing_trusted(monkeypatch, debian, reference, crash):
    with monkeypatch.context() as patch:
        patch.setattr(data.np, "savez", crash)
        with pytest.raises((KeyboardInterrupt, SystemExit)):
            load_fashion_mnist()
    assert not cache_file().exists() and leftovers(cache_file().parent) == []

    assert same_as_reference(load_fashion_mnist(), reference)  # the next run rebuilds it
    assert cache_file().is_file()
    monkeypatch.setattr(data, "DEBIAN_DIR", Path("/nonexistent"))
    assert same_as_reference(load_fashion_mnist(download=False), reference)  # and trusts it


def test_failing_rename_only_warns(monkeypatch, debian, reference):
    def no_rename(src, dst):
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(data.os, "replace", no_rename)
    with pytest.warns(UserWarning, match="could not write the Fashion-MNIST cache"):
        loaded = load_fashion_mnist()
    assert same_as_reference(loaded, reference)
    assert not cache_file().exists() and leftovers(cache_file().parent) == []


def test_half_written_cache_is_ignored_and_rebuilt(debian, reference):
    cache_file().parent.mkdir(parents=True)
    load_fashion_mnist(cache_dir=cache_file().parent / "full")
    whole = (cache_file().parent / "full" / data.CACHE_NAME).read_bytes()
    cache_file().write_bytes(whole[: len(whole) // 2])  # as if killed without atomic writes
    with pytest.warns(UserWarning, match="ignoring the Fashion-MNIST cache"):
        assert same_as_reference(load_fashion_mnist(), reference)
    assert cache_file().read_bytes() == whole


def test_cache_with_wrong_content_is_not_trusted(debian, reference):
    (x, y), (xt, yt) = load_fashion_mnist(SOURCE, as_numpy=True, normalize=False, flatten=False)
    x[0, 0, 0, 0] ^= 1
    cache_file().parent.mkdir(parents=True)
    np.savez(
        cache_file(),
        train_images=x[:, 0],
        train_labels=y.astype(np.uint8),
        test_images=xt[:, 0],
        test_labels=yt.astype(np.uint8),
    )
    with pytest.warns(UserWarning, match="train_images differs from the dataset"):
        assert same_as_reference(load_fashion_mnist(), reference)
