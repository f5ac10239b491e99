#!/bin/sh
# How the PDF test fixtures were made (run from this directory; needs pdflatex with
# lmodern, qpdf, img2pdf, poppler-utils and calibre). The books are the public-domain
# texts of ../../../../shared/corpus/books. Fixed dates keep pdfTeX's output reproducible.
set -eu
CORPUS=../../../../shared/corpus/books
export SOURCE_DATE_EPOCH=1700000000 FORCE_SOURCE_DATE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

latex() {  # latex NAME SOURCE STYLE [MAX_SECTIONS]
    name=$1; shift
    python3 gutenberg_to_latex.py "$@" > "$work/$name.tex"
    # Twice: the bookmarks are written from the first run's .out file.
    (cd "$work" && pdflatex -interaction=batchmode "$name.tex" >/dev/null \
        && pdflatex -interaction=batchmode "$name.tex" >/dev/null)
    cp "$work/$name.pdf" "$name.pdf"
}

# The whole novel, 372 A5 pages: bookmarks, running heads, page numbers in the head,
# hyphenation, roman page labels on the front matter. Also the open-time benchmark book.
latex pride-and-prejudice "$CORPUS/pride-and-prejudice_pg1342_utf8-bom.txt" novel
# Two columns on A4 with bookmarks: the letters and first chapters of Frankenstein.
latex frankenstein-twocolumn "$CORPUS/frankenstein_pg84_ascii.txt" twocolumn 8
# No bookmarks: chapters only from the large headings.
latex frankenstein-headings "$CORPUS/frankenstein_pg84_ascii.txt" headings 6
# Neither bookmarks nor headings: page groups.
latex pride-and-prejudice-plain "$CORPUS/pride-and-prejudice_pg1342_utf8-bom.txt" plain 9

# A scanned page: one page rendered to a grey image and wrapped as a PDF, no text layer.
pdftoppm -f 2 -l 2 -r 60 -gray -png pride-and-prejudice-plain.pdf "$work/scan"
img2pdf "$work"/scan*.png -o scanned.pdf
# Partly scanned: the plain book with the scanned page put after its third page.
qpdf --empty --pages pride-and-prejudice-plain.pdf 1-3 scanned.pdf pride-and-prejudice-plain.pdf 4-z \
    -- partly-scanned.pdf
# A user password ("secret") is needed to open this one.
qpdf --encrypt secret owner 256 -- pride-and-prejudice-plain.pdf encrypted.pdf
# Cut off after its first 3,000 bytes (the header and part of the first page's stream).
head -c 3000 frankenstein-headings.pdf > truncated.pdf
# Another producer: calibre, with its own running header and page-number footer.
QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox QT_QPA_PLATFORM=offscreen ebook-convert "$CORPUS/frankenstein_standardebooks_epub3.epub" "$work/calibre.pdf" \
    --pdf-page-numbers --pdf-header-template '<p style="text-align:center">_TITLE_</p>' \
    --paper-size a5 --pdf-default-font-size 14 >/dev/null
qpdf --empty --pages "$work/calibre.pdf" 1-40 -- frankenstein-calibre.pdf
# Fuzz seeds: one two-column page as written, and the same with its streams uncompressed
# (qpdf's QDF form), so that mutated bytes reach the text operators and coordinates.
qpdf --empty --pages frankenstein-twocolumn.pdf 1 -- fuzz-seed-page.pdf
qpdf --qdf --object-streams=disable --compress-streams=n fuzz-seed-page.pdf fuzz-seed-page-qdf.pdf

# Bulleted and numbered items with hanging indents, ragged right, laid out and written by
# Qt (another producer again): see make_lists_pdf.py.
python3 make_lists_pdf.py
