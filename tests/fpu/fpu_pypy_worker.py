"""Run under PyPy by test_fpu_pypy: answer oracle-format case lines with trapscope's FPU."""

import platform
import sys

from fpu_cases import expected, parse_case


def main() -> None:
    """stdin: ``NAME RM A B C`` lines; stdout: the interpreter's name and version,
    then ``RESULT FFLAGS`` lines (hex)."""
    out = [f"{platform.python_implementation()} {platform.python_version()}\n"]
    for line in sys.stdin:
        result, flags = expected(*parse_case(line))
        out.append(f"{result:x} {flags:x}\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
