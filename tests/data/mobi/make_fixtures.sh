#!/bin/sh
# How the MOBI and AZW3 test books were made (run from this directory; needs calibre's
# ebook-convert, 6.13 was used, and python3). The sources are public-domain books of the
# test corpus. calibre writes a fresh uuid and timestamp each run, so a rerun gives
# equivalent files, not the same bytes.
set -eu
CORPUS=../../../../shared/corpus

# A novel, old format only (MOBI 6, PalmDOC compressed, no KF8 part).
ebook-convert "$CORPUS/books/pride-and-prejudice_pg1342_epub2.epub" pride-and-prejudice.mobi \
    --mobi-file-type old
# The same novel as KF8 (AZW3).
ebook-convert "$CORPUS/books/pride-and-prejudice_pg1342_epub2.epub" pride-and-prejudice.azw3
# A combined file, MOBI 6 and KF8 in one .mobi (calibre's default for .mobi is "old";
# "both" is what the Kindle tools and many shops ship). This book has a cover image, a
# table of contents in both a nav document and an NCX, and one 338 KB chapter file.
ebook-convert "$CORPUS/epub-samples/idpf-childrens-literature.epub" childrens-literature.mobi \
    --mobi-file-type both
# Old format with images (a cover and a title page, each its own contents entry) and
# right-to-left Arabic text.
ebook-convert "$CORPUS/epub-samples/idpf-regime-anticancer-arabic.epub" regime-anticancer-arabic.mobi \
    --mobi-file-type old
# Tiny books for the fuzz seeds: milliseconds each.
ebook-convert "$CORPUS/epub-samples/epubcheck-epub2-minimal-valid.epub" minimal.mobi \
    --mobi-file-type old
ebook-convert "$CORPUS/epub-samples/epubcheck-epub2-minimal-valid.epub" minimal.azw3
ebook-convert "$CORPUS/epub-samples/idpf-hefty-water.epub" hefty-water.mobi --mobi-file-type both

python3 - <<'PY'
import struct

# DRM: the MOBI header's first record (record 0) begins with the PalmDOC header; its
# 16-bit big-endian field at offset 12 is the encryption type: 0 none, 1 old Mobipocket,
# 2 Mobipocket (what a book bought from a shop carries). Record 0's offset is the first
# entry of the PalmDB record list at byte 78.
data = bytearray(open("minimal.azw3", "rb").read())
record0 = struct.unpack_from(">I", data, 78)[0]
struct.pack_into(">H", data, record0 + 12, 2)
open("minimal-drm.azw3", "wb").write(data)

# Damaged: the novel cut off after 20,000 bytes (the record list points past the end).
open("pride-and-prejudice-truncated.azw3", "wb").write(
    open("pride-and-prejudice.azw3", "rb").read()[:20_000]
)
PY
