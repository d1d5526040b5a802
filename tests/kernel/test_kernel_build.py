"""Building the kernel: caching, reproducibility, the DWARF the monitor
needs, the Linux ABI constants, the initramfs format, and `trapscope build`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from kernel_runner import require
from trapscope.kernel import build as kbuild


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "trapscope.tools.cli", "build", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_same_sources_give_the_same_bytes_and_nothing_is_rebuilt(tmp_path, kernel_elf):
    a = kbuild.build_kernel(cache_dir=tmp_path / "a")   # from scratch, elsewhere
    assert a.read_bytes() == kernel_elf.read_bytes()
    objects = sorted((tmp_path / "a").rglob("*.o")) + sorted((tmp_path / "a").rglob("*.elf"))
    stamps = [p.stat().st_mtime_ns for p in objects]
    again = kbuild.build_kernel(cache_dir=tmp_path / "a")
    assert again == a
    assert [p.stat().st_mtime_ns for p in objects] == stamps
    # adding a file only remakes the initramfs and relinks: nothing is recompiled
    (tmp_path / "extra").mkdir()
    hello = next((tmp_path / "a" / "user").glob("hello-*.elf"))
    (tmp_path / "extra" / "hello2").write_bytes(hello.read_bytes())
    with_extra = kbuild.build_kernel(extra=[tmp_path / "extra" / "hello2"], cache_dir=tmp_path / "a")
    assert with_extra != a and with_extra.read_bytes() != a.read_bytes()
    assert [p.stat().st_mtime_ns for p in objects] == stamps
    compiled = {p for p in (tmp_path / "a").rglob("*.o") if not p.name.startswith("initramfs-")}
    compiled |= set((tmp_path / "a").rglob("*.elf")) - {with_extra}
    before = {p for p in objects if not p.name.startswith("initramfs-")}
    assert compiled == before, compiled ^ before


def test_a_bug_switch_changes_the_image(kernel_elf):
    buggy = kbuild.build_kernel(["cow-refcount"])
    assert buggy != kernel_elf
    assert buggy.read_bytes() != kernel_elf.read_bytes()


def _dwarf_structs(elf_path):
    """struct name -> {member: offset} for every struct in the kernel's DWARF."""
    structs = {}
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        assert elf.has_dwarf_info()
        for cu in elf.get_dwarf_info().iter_CUs():
            for die in cu.iter_DIEs():
                if die.tag != "DW_TAG_structure_type" or "DW_AT_name" not in die.attributes:
                    continue
                members = {}
                for child in die.iter_children():
                    if child.tag == "DW_TAG_member" and "DW_AT_name" in child.attributes:
                        loc = child.attributes.get("DW_AT_data_member_location")
                        members[child.attributes["DW_AT_name"].value.decode()] = (
                            loc.value if loc else 0)
                if members:
                    structs[die.attributes["DW_AT_name"].value.decode()] = members
        symbols = {s.name for s in elf.get_section_by_name(".symtab").iter_symbols()}
    return structs, symbols


def test_the_monitor_finds_kernel_structures_by_dwarf_name(kernel_elf):
    structs, symbols = _dwarf_structs(kernel_elf)
    for table in ["proc", "cpus", "kmem", "mm_table", "vma_pool", "futex_table", "klog",
                  "panic_record", "shm_segs", "tgroups", "sighands", "files_tables",
                  "kernel_pagetable", "bootinfo", "initproc", "inodes"]:
        assert table in symbols, table
    for struct, members in {
        "proc": ["tid", "tgid", "state", "name", "parent", "trapframe", "context", "mm", "chan",
                 "wchan", "cpu", "fw", "group"],
        "cpu": ["proc", "context", "hartid", "online"],
        "trapframe": ["epc", "tp", "a0", "kernel_hartid", "f"],
        "frame_allocator": ["frames", "base_ppn", "nframes", "nfree", "free_area"],
        "frame": ["refcnt", "order", "flags"],
        "mm": ["pagetable", "vmas", "brk", "refs"],
        "vma": ["start", "end", "prot", "flags", "kind", "next", "file"],
        "futex_bucket": ["lock", "head"],
        "futex_waiter": ["key_mm", "key_addr", "bitset", "next", "queued"],
        "klog": ["len", "buf"],
        "panic_record": ["active", "hart", "tid", "msg"],
    }.items():
        missing = set(members) - set(structs[struct])
        assert not missing, f"struct {struct} lacks {missing}"


def test_trampoline_offsets_match_the_trapframe_struct(kernel_elf):
    """trapframe.h's TF_* numbers (used by trampoline.S) are the DWARF offsets."""
    structs, _ = _dwarf_structs(kernel_elf)
    header = (kbuild.SRC_DIR / "trapframe.h").read_text()
    offsets = {m.group(1).lower(): int(m.group(2))
               for m in re.finditer(r"#define TF_(\w+)\s+(\d+)", header)}
    offsets["f"] = offsets.pop("f0")
    assert len(offsets) == 38   # 5 kernel fields, x1..x31, f0..f31, fcsr
    assert {k: structs["trapframe"][k] for k in offsets} == offsets
    assert structs["trapframe"]["tp"] == 64


def test_bug_builds_are_told_apart_by_dwarf_members():
    fixed, _ = _dwarf_structs(kbuild.build_kernel())
    buggy, _ = _dwarf_structs(kbuild.build_kernel(["tp-lost"]))
    assert "user_tp" not in fixed["cpu"]
    assert "user_tp" in buggy["cpu"]


def test_linux_abi_constants_match_the_cross_toolchain_headers(tmp_path):
    text = (kbuild.SRC_DIR / "linux.h").read_text()
    names = re.findall(r"^#define ([A-Z][A-Z0-9_]+) (-?[0-9][0-9a-fxA-FX]*|\(-?\d+\))\s*(?://.*)?$",
                       text, re.M)
    # trapscope's own call, and SHMLBA (a function call in glibc)
    skip = {"SYS_kinfo", "SHMLBA"} | {n for n, _ in names if n.startswith("KINFO_")}
    lines = ["#define _GNU_SOURCE", "#include <errno.h>", "#include <fcntl.h>",
             "#include <signal.h>", "#include <sched.h>", "#include <sys/mman.h>",
             "#include <sys/wait.h>", "#include <sys/ipc.h>", "#include <sys/shm.h>",
             "#include <time.h>", "#include <elf.h>", "#include <asm/unistd.h>",
             "#include <linux/futex.h>", "#include <sys/ioctl.h>", "#include <dirent.h>",
             "#include <sys/stat.h>", "#include <sys/resource.h>", "#include <asm/termbits.h>",
             "int checked;"]
    checked = 0
    for name, value in names:
        if name in skip:
            continue
        theirs = "__NR_" + name[4:] if name.startswith("SYS_") else name
        lines += [f"#ifdef {theirs}", f"_Static_assert({theirs} == {value}, \"{name}\");",
                  "#endif"]
        checked += 1
    src = tmp_path / "abi.c"
    src.write_text("\n".join(lines) + "\n")
    proc = subprocess.run([require("riscv64-linux-gnu-gcc"), "-fsyntax-only", str(src)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # make sure the check is not vacuous: most names exist on the other side
    probe = tmp_path / "probe.c"
    probe.write_text("\n".join(lines) + "\n" + "\n".join(
        f"#ifndef {'__NR_' + n[4:] if n.startswith('SYS_') else n}\n#error missing {n}\n#endif"
        for n, _ in names if n not in skip))
    proc = subprocess.run([require("riscv64-linux-gnu-gcc"), "-fsyntax-only", str(probe)],
                          capture_output=True, text=True)
    missing = re.findall(r"#error missing (\w+)", proc.stderr)
    assert checked > 200 and not missing, (checked, missing)


def test_initramfs_is_a_cpio_that_gnu_cpio_reads_with_page_aligned_files(tmp_path):
    files = {"bin/a": b"\x7fELF" + bytes(5000), "etc/x.txt": b"hello\n", "z": b"zz-data-zz"}
    blob = kbuild.make_cpio(files, ["bin/a"])
    assert blob == kbuild.make_cpio(dict(reversed(list(files.items()))), ["bin/a"])
    for name, data in files.items():
        at = blob.index(data)
        assert at % 4096 == 0, name
    out = tmp_path / "x"
    out.mkdir()
    proc = subprocess.run([require("cpio"), "-idm", "--quiet"], input=blob, cwd=out,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr
    for name, data in files.items():
        assert (out / name).read_bytes() == data
    assert (out / "bin" / "a").stat().st_mode & 0o111


def test_a_tree_too_big_for_the_kernel_is_refused(tmp_path):
    tree = tmp_path / "many"
    tree.mkdir()
    for i in range(kbuild.MAX_INODES):
        (tree / f"f{i}").write_text("x")
    with pytest.raises(kbuild.BuildError, match="at most"):
        kbuild.build_kernel(extra=[tree])
    long = tmp_path / ("n" * 70)
    long.mkdir()
    (long / "data").write_text("x")
    with pytest.raises(kbuild.BuildError, match="longer than"):
        kbuild.build_kernel(extra=[long])


def test_build_command_installs_the_kernel_and_lists_the_bugs():
    proc = cli("--help")
    assert proc.returncode == 0
    for bug in kbuild.BUGS:
        assert bug in proc.stdout
    proc = cli()
    assert proc.returncode == 0, proc.stderr
    assert kbuild.KERNEL_ELF.read_bytes() == kbuild.build_kernel().read_bytes()
    assert kbuild.current_kernel() == kbuild.KERNEL_ELF


@pytest.mark.parametrize("make,reason", [
    (lambda d: (d / "notes.txt").write_text("hi\n"), "not an ELF file"),
    (lambda d: (d / "x86").write_bytes(Path(sys.executable).resolve().read_bytes()),
     "not RISC-V"),
    (lambda d: subprocess.run([require("riscv64-linux-gnu-gcc"), "-x", "c", "-", "-o",
                               str(d / "dyn")], input="int main(){return 0;}", text=True,
                              check=True), "dynamically linked"),
    # in a directory, data files are fine but every ELF is checked
    (lambda d: ((d / "tree" / "sub").mkdir(parents=True),
                (d / "tree" / "notes.txt").write_text("data\n"),
                subprocess.run([require("riscv64-linux-gnu-gcc"), "-x", "c", "-", "-o",
                                str(d / "tree" / "sub" / "dyn")], input="int main(){return 0;}",
                               text=True, check=True)), "sub/dyn: dynamically linked"),
])
def test_add_refuses_what_is_not_a_static_riscv64_elf(tmp_path, make, reason):
    make(tmp_path)
    (target,) = list(tmp_path.iterdir())
    proc = cli("--add", str(target))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("trapscope build: error: ")
    assert str(target) in lines[0] and reason in lines[0]
