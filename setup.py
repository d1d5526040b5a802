"""Package list for setuptools: each top-level code folder is `trapscope.<folder>`.

The metadata lives in pyproject.toml; only the folder-to-package mapping is
computed here, so a new subpackage (a folder with an __init__.py) needs no edit.
"""
from setuptools import find_packages, setup

FOLDERS = ("machine", "rspserver", "kernel", "tools")

packages = []
for folder in FOLDERS:
    packages.append(f"trapscope.{folder}")
    packages += [f"trapscope.{folder}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir={f"trapscope.{folder}": folder for folder in FOLDERS},
)
