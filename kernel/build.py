"""Build the trapscope guest kernel and its user programs.

Everything is compiled with Debian's ``riscv64-linux-gnu-gcc``: the kernel
freestanding with full DWARF, the user programs static against Debian's
riscv64 glibc.  The user programs, plus anything given with ``extra`` (the
CLI's ``--add``), go into a cpio "newc" initramfs written here
(deterministically) and linked into the kernel image.

Every step is cached by a hash of its inputs, so a rebuild only redoes what
changed and two builds of the same sources give the same bytes.

Public interface::

    BUGS                                  bug name -> one-line description
    build_kernel(bugs=(), extra=()) -> Path   the ELF, content-addressed in the cache
    install_kernel(elf, bugs=(), extra=()) -> Path  copy to kernel/build/kernel.elf
    current_kernel() -> Path              kernel/build/kernel.elf, (re)built as last asked
    check_static_elf(path)                raise BuildError unless a static riscv64 ELF
    BuildError                            one clear message
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple, Union

KERNEL_DIR = Path(__file__).resolve().parent
REPO_ROOT = KERNEL_DIR.parent
SRC_DIR = KERNEL_DIR / "src"
USER_DIR = KERNEL_DIR / "user"
BUILD_DIR = KERNEL_DIR / "build"
KERNEL_ELF = BUILD_DIR / "kernel.elf"
KERNEL_STAMP = BUILD_DIR / "kernel.json"

CROSS = "riscv64-linux-gnu-"
CC = CROSS + "gcc"
LD = CROSS + "ld"

#: Bug switches (seed diaries): name -> what putting the bug back does.
BUGS: Dict[str, str] = {
    "tp-hartid": "uservec does not reload the kernel tp: the kernel takes the user's "
    "TLS pointer for its hart id (seed 000, 2023.6.30)",
    "tp-lost": "user tp kept per hart instead of per thread, so threads swap TLS "
    "pointers (seed 001, 8.2)",
    "fork-trapframe": "fork shares the parent's trapframe page with the child "
    "(seed 001, 7.19/7.25; seed 000, 6.14)",
    "cow-refcount": "fork shares frames copy-on-write without raising their "
    "reference counts (seed 000, 6.14 and 7.2)",
}

KERNEL_CFLAGS = [
    "-march=rv64imac_zicsr_zifencei", "-mabi=lp64", "-mcmodel=medany", "-mno-relax",
    "-ffreestanding", "-fno-common", "-nostdlib", "-fno-builtin-printf",
    "-fno-omit-frame-pointer", "-fno-stack-protector", "-fno-pie", "-fno-strict-aliasing",
    "-O1", "-g", "-gdwarf-4", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
    "-std=gnu11", f"-ffile-prefix-map={REPO_ROOT}=.",
]
# fpu.S needs the F/D instructions; the rest of the kernel never touches them.
FPU_ASFLAGS = ["-march=rv64imafdc_zicsr_zifencei"]
KERNEL_LDFLAGS = ["-nostdlib", "--no-relax", "--build-id=none", "-z", "max-page-size=4096",
                  "--no-warn-rwx-segments"]

USER_CFLAGS = [
    "-static", "-O2", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
    "-Wno-format-truncation",
    "-std=gnu11", "-D_GNU_SOURCE", "-pthread", f"-ffile-prefix-map={REPO_ROOT}=.",
    "-Wl,--build-id=none",
]

EM_RISCV = 243
PAGE = 4096
CACHE_KEEP = 12  # kernel variants kept in kernel/build/cache


class BuildError(Exception):
    """A build that cannot go on; the message says why."""


# --- helpers ---------------------------------------------------------------


def _sha(*parts: Union[bytes, str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:20]


def _tool_version(tool: str) -> str:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        raise BuildError(
            f"{tool} not found: install gcc-riscv64-linux-gnu and libc6-dev-riscv64-cross "
            "(tools/dev setup)"
        ) from None
    return out.stdout.splitlines()[0]


def _run(cmd: List[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)}\n{proc.stdout}{proc.stderr}".rstrip())


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _headers_digest(directory: Path) -> str:
    parts: List[Union[bytes, str]] = []
    for h in sorted(directory.glob("*.h")):
        parts += [h.name, h.read_bytes()]
    return _sha(*parts)


# --- compiling with a content-addressed cache --------------------------------


@dataclass
class _Compile:
    src: Path
    flags: List[str]
    key: str
    out: Path


def _plan_compile(src: Path, flags: List[str], deps: str, outdir: Path, suffix: str) -> _Compile:
    key = _sha(src.name, src.read_bytes(), " ".join(flags), deps)
    return _Compile(src, flags, key, outdir / f"{src.stem}-{key}{suffix}")


def _do_compile(job: _Compile, args: List[str]) -> Path:
    if job.out.exists():
        return job.out
    job.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = job.out.with_name(f".tmp-{os.getpid()}-{job.out.name}")
    try:
        _run([CC, *job.flags, *args, "-o", str(tmp)], cwd=job.src.parent)
        os.replace(tmp, job.out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return job.out


def _parallel(fn, items: Iterable, jobs: int | None) -> list:
    items = list(items)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        return list(pool.map(fn, items))


def _kernel_objects(bugs: Sequence[str], cache: Path, jobs: int | None) -> List[Path]:
    version = _tool_version(CC)
    deps = _headers_digest(SRC_DIR) + version
    defines = [f"-DBUG_{b.upper().replace('-', '_')}" for b in sorted(bugs)]
    plans = []
    for src in sorted(SRC_DIR.glob("*.c")) + sorted(SRC_DIR.glob("*.S")):
        if src.name == "initramfs.S":
            continue
        flags = KERNEL_CFLAGS + defines + ["-I."]
        if src.name == "fpu.S":
            flags = [f for f in flags if not f.startswith("-march")] + FPU_ASFLAGS
        plans.append(_plan_compile(src, flags, deps, cache / "obj", ".o"))
    return _parallel(lambda job: _do_compile(job, ["-c", job.src.name]), plans, jobs)


def _initramfs_object(cpio: Path, cache: Path) -> Path:
    src = SRC_DIR / "initramfs.S"
    key = _sha(src.read_bytes(), cpio.name, " ".join(KERNEL_CFLAGS))
    out = cache / "obj" / f"initramfs-{key}.o"
    if not out.exists():
        flags = [f for f in KERNEL_CFLAGS if not f.startswith("-g")]
        tmp = out.with_name(f".tmp-{os.getpid()}-{out.name}")
        _run([CC, *flags, f'-DINITRAMFS="{cpio.name}"', "-c", str(src), "-o", str(tmp)],
             cwd=cpio.parent)
        os.replace(tmp, out)
    return out


# --- user programs ------------------------------------------------------------


def _user_programs() -> List[Tuple[str, Path]]:
    """(path in the initramfs, source) for every user program in the repo."""
    progs = [("init", USER_DIR / "init.c")]
    progs += [(f"bin/{s.stem}", s) for s in sorted((USER_DIR / "bin").glob("*.c"))]
    progs += [(f"tests/{s.stem}", s) for s in sorted((USER_DIR / "tests").glob("*.c"))]
    return progs


def list_tests() -> List[str]:
    """The test programs in the order the runner runs them."""
    have = [s.stem for s in sorted((USER_DIR / "tests").glob("*.c"))]
    order_file = USER_DIR / "tests" / "order"
    order = order_file.read_text().split() if order_file.exists() else []
    listed = [n for n in order if n in have]
    return listed + [n for n in have if n not in listed]


def _build_user(cache: Path, jobs: int | None) -> Dict[str, Path]:
    version = _tool_version(CC)
    deps = _headers_digest(USER_DIR) + version
    plans = []
    for dest, src in _user_programs():
        plans.append((dest, _plan_compile(src, USER_CFLAGS, deps, cache / "user", ".elf")))
    outs = _parallel(
        lambda item: _do_compile(item[1], [item[1].src.name, "-I" + os.path.relpath(USER_DIR, item[1].src.parent)]), plans, jobs
    )
    return {dest: out for (dest, _), out in zip(plans, outs)}


# --- checking user-supplied files ----------------------------------------------


def _elf_problem(data: bytes) -> str | None:
    """Why data is not a static riscv64 Linux ELF, or None if it is one."""
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return "not an ELF file"
    if data[4] != 2 or data[5] != 1:
        return "not a 64-bit little-endian ELF"
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_machine != EM_RISCV:
        return f"built for machine {e_machine}, not RISC-V"
    if e_type not in (2, 3):
        return "not an executable"
    phoff = struct.unpack_from("<Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if phentsize != 56 or phoff + phnum * 56 > len(data):
        return "has a broken program header table"
    for i in range(phnum):
        if struct.unpack_from("<I", data, phoff + i * 56)[0] == 3:  # PT_INTERP
            return "dynamically linked (link it with -static)"
    return None


def check_static_elf(path: Union[str, Path]) -> None:
    """Raise BuildError unless path is a static riscv64 Linux ELF executable."""
    p = Path(path)
    problem = _elf_problem(p.read_bytes()) if p.is_file() else "no such file"
    if problem:
        raise BuildError(f"{p}: {problem}; --add takes static riscv64 Linux executables")


def _extra_entries(extra: Sequence[Union[str, Path]]) -> Dict[str, Path]:
    """Initramfs paths for --add: a file goes to /bin/NAME and must be a static
    riscv64 ELF; a directory goes to /bin/DIRNAME keeping its tree, its ELF
    files checked the same way and its other files kept as data."""
    entries: Dict[str, Path] = {}
    for item in extra:
        p = Path(item)
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                data = f.read_bytes()
                if data[:4] == b"\x7fELF":
                    check_static_elf(f)
                entries[f"bin/{p.resolve().name}/{f.relative_to(p).as_posix()}"] = f
        else:
            check_static_elf(p)
            entries[f"bin/{p.name}"] = p
    return entries


# --- the initramfs ----------------------------------------------------------------


def _cpio_header(ino: int, mode: int, nlink: int, size: int, namesize: int) -> bytes:
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, namesize, 0]
    return b"070701" + b"".join(b"%08X" % v for v in fields)


def make_cpio(files: Dict[str, bytes], executables: Iterable[str] = ()) -> bytes:
    """A deterministic cpio newc archive of files (path -> bytes).

    Directories are added for every parent; uid, gid and mtime are 0; entries
    come in sorted order.  Each regular file's name is padded with NULs so its
    data starts on a 4 KiB boundary of the archive (the kernel maps file pages
    straight into user space), which cpio readers accept since a name ends at
    its first NUL.
    """
    execs = set(executables)
    dirs = set()
    for path in files:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    out = bytearray()
    ino = 0

    def entry(name: str, mode: int, nlink: int, data: bytes) -> None:
        nonlocal ino
        ino += 1
        raw = name.encode() + b"\0"
        namesize = len(raw)
        if data:
            namesize += (-(len(out) + 110 + namesize)) % PAGE
        out.extend(_cpio_header(ino, mode, nlink, len(data), namesize))
        out.extend(raw.ljust(namesize, b"\0"))
        out.extend(b"\0" * ((-len(out)) % 4))
        out.extend(data)
        out.extend(b"\0" * ((-len(out)) % 4))

    for name in sorted(set(files) | dirs):
        if name in dirs:
            entry(name, 0o040755, 2, b"")
        else:
            entry(name, 0o100755 if name in execs else 0o100644, 1, files[name])
    entry("TRAILER!!!", 0, 1, b"")
    out.extend(b"\0" * ((-len(out)) % 512))
    return bytes(out)


MAX_INODES = 500   # the kernel's inode table (src/fs.c NINODE) less /dev and its nodes
MAX_NAME = 63      # struct inode name[64]


def _check_tree(paths: Iterable[str]) -> None:
    names = set()
    for path in paths:
        parts = path.split("/")
        for i, part in enumerate(parts):
            if len(part.encode()) > MAX_NAME:
                raise BuildError(f"/{path}: the name {part!r} is longer than {MAX_NAME} bytes")
            names.add("/".join(parts[: i + 1]))
    if len(names) > MAX_INODES:
        raise BuildError(f"the initramfs would hold {len(names)} files and directories; "
                         f"the kernel takes at most {MAX_INODES}")


def _initramfs(user: Dict[str, Path], extra: Dict[str, Path], cache: Path) -> Path:
    _check_tree(list(user) + list(extra) + ["etc/tests"])
    files = {dest: p.read_bytes() for dest, p in user.items()}
    files["etc/tests"] = ("\n".join(list_tests()) + "\n").encode()
    for dest, p in extra.items():
        files[dest] = p.read_bytes()
    execs = [d for d, data in files.items() if data[:4] == b"\x7fELF"]
    blob = make_cpio(files, execs)
    out = cache / "initramfs" / f"initramfs-{_sha(blob)}.cpio"
    if not out.exists():
        _atomic_write(out, blob)
    return out


# --- linking and the public API -----------------------------------------------------


def _prune(cache_root: Path) -> None:
    variants = sorted((d for d in cache_root.iterdir() if d.is_dir() and len(d.name) == 20),
                      key=lambda d: d.stat().st_mtime, reverse=True)
    for d in variants[CACHE_KEEP:]:
        shutil.rmtree(d, ignore_errors=True)


def build_kernel(bugs: Sequence[str] = (), extra: Sequence[Union[str, Path]] = (), *,
                 cache_dir: Path | None = None, jobs: int | None = None) -> Path:
    """Build the kernel (with the named bugs put back and extra files under
    /bin) and return its ELF path inside the cache; same inputs, same path and
    same bytes."""
    for b in bugs:
        if b not in BUGS:
            raise BuildError(f"unknown bug {b!r}; known: {', '.join(BUGS)}")
    cache = Path(cache_dir) if cache_dir else BUILD_DIR
    extra_entries = _extra_entries(extra)
    objs = _kernel_objects(bugs, cache, jobs)
    user = _build_user(cache, jobs)
    cpio = _initramfs(user, extra_entries, cache)
    objs.append(_initramfs_object(cpio, cache))
    script = SRC_DIR / "kernel.ld"
    key = _sha(script.read_bytes(), " ".join(KERNEL_LDFLAGS), *[o.name for o in objs])
    out = cache / "cache" / key / "kernel.elf"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".tmp-{os.getpid()}-kernel.elf")
        _run([LD, *KERNEL_LDFLAGS, "-T", str(script), "-o", str(tmp), *map(str, objs)],
             cwd=cache)
        os.replace(tmp, out)
        _prune(out.parent.parent)
    else:
        os.utime(out.parent)
    return out


def install_kernel(elf: Path, bugs: Sequence[str] = (),
                   extra: Sequence[Union[str, Path]] = ()) -> Path:
    """Make elf the current kernel, kernel/build/kernel.elf, and remember how
    it was asked for so current_kernel() can rebuild it after edits."""
    _atomic_write(KERNEL_ELF, Path(elf).read_bytes())
    stamp = {"bugs": sorted(bugs), "extra": [str(Path(e).resolve()) for e in extra]}
    _atomic_write(KERNEL_STAMP, json.dumps(stamp, indent=1).encode())
    return KERNEL_ELF


def current_kernel() -> Path:
    """kernel/build/kernel.elf, brought up to date: built the way the last
    `trapscope build` asked (the fixed kernel if there was none)."""
    bugs: List[str] = []
    extra: List[str] = []
    if KERNEL_STAMP.exists():
        stamp = json.loads(KERNEL_STAMP.read_text())
        bugs, extra = list(stamp.get("bugs", [])), list(stamp.get("extra", []))
    elf = build_kernel(bugs, extra)
    if not KERNEL_ELF.exists() or KERNEL_ELF.read_bytes() != elf.read_bytes():
        install_kernel(elf, bugs, extra)
    return KERNEL_ELF
