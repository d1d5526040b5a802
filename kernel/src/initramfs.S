# The initramfs (cpio newc) built by kernel/build.py, linked into the image.
# INITRAMFS is the archive's path, given by the build on the command line.
.section .initramfs, "a"
.balign 4096
.incbin INITRAMFS
