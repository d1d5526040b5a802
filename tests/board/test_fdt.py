"""The FDT writer/reader and the virt tree, checked with dtc and against QEMU's own tree."""

import subprocess

import pytest
from trapscope.machine.config import fdt_address
from trapscope.machine.devices.tree import virt_dtb
from trapscope.machine.fdt import FdtError, Node, from_dtb, to_dtb

# Nodes QEMU has and this board does not (devices it does not model).
QEMU_ONLY = ("/pmu", "/fw-cfg@", "/flash@", "/platform-bus@", "/soc/rtc@", "/soc/pci@")
# Properties that differ on purpose: the model name, the ISA this core implements (QEMU
# offers H, B and Sstc and Sv48), and QEMU's random seed.
DIFFERENT = {"model", "riscv,isa", "mmu-type", "rng-seed"}
PHANDLE_PROPS = {"phandle", "interrupt-parent", "regmap", "cpu"}


def dtc(*args, data=None):
    return subprocess.run(["dtc", *args], input=data, capture_output=True, check=False)


@pytest.fixture(scope="module")
def qemu_tree(tmp_path_factory):
    path = tmp_path_factory.mktemp("qemu") / "virt.dtb"
    subprocess.run(["qemu-system-riscv64", "-machine", f"virt,dumpdtb={path}", "-smp", "2",
                    "-m", "128M", "-display", "none"], check=True, capture_output=True)
    return path.read_bytes()


def by_path(root):
    return dict(root.walk())


def phandle_paths(root):
    return {n.prop_u32("phandle"): p for p, n in root.walk() if "phandle" in n.props}


def normalised(root):
    """{path: {prop: value}} with phandle references replaced by the paths they name."""
    handles = phandle_paths(root)
    out = {}
    for path, node in root.walk():
        props = {}
        for name, raw in node.props.items():
            if name == "phandle":
                continue
            if name in PHANDLE_PROPS:
                props[name] = handles.get(node.prop_u32(name))
            elif name == "interrupts-extended":
                cells = node.prop_cells(name)
                props[name] = [(handles.get(cells[i]), cells[i + 1]) for i in range(0, len(cells), 2)]
            else:
                props[name] = raw
        out[path] = props
    return out


def test_round_trip_all_value_kinds():
    root = Node()
    root.set("s", "text").set("sl", ["a", "bc"]).set("u", 7).set("cells", [1, 2, 3])
    root.set("raw", b"\x01\x02\x03").set("flag")
    child = root.add("child@10").set("x", 0xFFFFFFFF)
    child.add("grandchild")
    back = from_dtb(to_dtb(root, boot_cpuid=1))
    assert back.props == root.props
    assert back.find("/child@10/grandchild") is not None
    assert back.find("/child@10").prop_u32("x") == 0xFFFFFFFF
    assert back.prop_strings("sl") == ["a", "bc"]
    assert back.prop_cells("cells") == [1, 2, 3]


def test_dtc_reads_our_blob_and_we_read_dtcs(tmp_path):
    blob = virt_dtb(2, 128 << 20, "console=ttyS0")
    res = dtc("-I", "dtb", "-O", "dtb", data=blob)
    assert res.returncode == 0, res.stderr.decode()
    assert normalised(from_dtb(res.stdout)) == normalised(from_dtb(blob))


def test_bad_blobs_raise_fdt_error():
    blob = virt_dtb(1, 64 << 20)
    for bad in (b"", b"\0" * 64, blob[:30], blob[:4] + b"\xff\xff\xff\xff" + blob[8:]):
        with pytest.raises(FdtError):
            from_dtb(bad)


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_dtc_accepts_the_virt_tree_with_no_new_warnings(smp, qemu_tree):
    ours = dtc("-I", "dtb", "-O", "dts", data=virt_dtb(smp, 256 << 20, "init=tests"))
    assert ours.returncode == 0, ours.stderr.decode()
    theirs = dtc("-I", "dtb", "-O", "dts", data=qemu_tree)
    kinds = {line.split("(")[1].split(")")[0] for line in ours.stderr.decode().splitlines() if "Warning" in line}
    qemu_kinds = {line.split("(")[1].split(")")[0] for line in theirs.stderr.decode().splitlines() if "Warning" in line}
    assert kinds <= qemu_kinds
    dts = ours.stdout.decode()
    assert 'bootargs = "init=tests"' in dts
    assert dts.count('device_type = "cpu"') == smp
    assert "reg = <0x00 0x80000000 0x00 0x10000000>" in dts


def test_same_substance_as_qemus_tree(qemu_tree):
    ours = normalised(from_dtb(virt_dtb(2, 128 << 20)))
    theirs = normalised(from_dtb(qemu_tree))
    missing = [p for p in theirs if p not in ours and not p.startswith(QEMU_ONLY)]
    assert missing == []
    assert [p for p in ours if p not in theirs] == []
    for path, props in ours.items():
        for name, value in props.items():
            if name not in DIFFERENT:
                assert theirs[path].get(name) == value, (path, name)
        assert set(theirs[path]) - DIFFERENT <= set(props), path


def test_fdt_lands_where_qemu_puts_it():
    assert fdt_address(128 << 20) == 0x87E0_0000
    assert fdt_address(64 << 20) == 0x83E0_0000
    assert fdt_address(2048 << 20) == 0xBFE0_0000  # capped at 3 GiB
