"""Turn a Project Gutenberg plain-text novel into a LaTeX document, for the PDF fixtures.

Usage: gutenberg_to_latex.py SOURCE.txt STYLE [MAX_CHAPTERS] > out.tex

STYLE is one of:
  novel      book class on A5, running heads (book title / chapter), page numbers,
             roman-numbered front matter, hyperref bookmarks and page labels
  twocolumn  article class in two columns, bookmarks, numbered pages
  headings   report class, large chapter headings, no bookmarks, page numbers in the foot
  plain      article class, no headings at all, page numbers in the foot
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HEADING = re.compile(r"^(Chapter|Letter) (\d+)$")


def escape(text: str) -> str:
    text = text.replace("\\", r"\textbackslash{}")
    for char in "&%$#{}":
        text = text.replace(char, "\\" + char)
    text = re.sub(r"_([^_]+)_", r"\\emph{\1}", text)
    return text.replace("_", r"\_")


def sections(source: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    raw = source.read_text("utf-8-sig").replace("\r\n", "\n")
    body = raw.split("***", 2)[2].split("*** END OF", 1)[0]
    title = re.search(r"^Title: (.+)$", raw, re.M).group(1).strip()
    found: list[tuple[str, list[str]]] = []
    for para in re.split(r"\n\s*\n", body):
        lines = " ".join(para.split())
        if not lines:
            continue
        if HEADING.match(lines):
            found.append((lines, []))
        elif found:
            found[-1][1].append(lines)
    return title, found


PREAMBLES = {
    "novel": r"""\documentclass[11pt,twoside,openany]{book}
\usepackage[a5paper,margin=18mm,top=20mm,bottom=20mm]{geometry}
\usepackage[T1]{fontenc}\usepackage[utf8]{inputenc}\usepackage{lmodern}
\usepackage{fancyhdr}
\pagestyle{fancy}\fancyhf{}
\fancyhead[LE]{\thepage\hfill\textsc{%(title)s}}
\fancyhead[RO]{\textsc{\leftmark}\hfill\thepage}
\renewcommand{\headrulewidth}{0pt}
\usepackage[bookmarks=true,pdfpagelabels=true,pdftitle={%(title)s},pdfauthor={%(author)s},pdflang={en}]{hyperref}
""",
    "twocolumn": r"""\documentclass[10pt,twocolumn]{article}
\usepackage[a4paper,margin=18mm]{geometry}
\usepackage[T1]{fontenc}\usepackage[utf8]{inputenc}\usepackage{lmodern}
\usepackage[bookmarks=true,pdftitle={%(title)s},pdfauthor={%(author)s}]{hyperref}
""",
    "headings": r"""\documentclass[11pt]{report}
\usepackage[a5paper,margin=18mm]{geometry}
\usepackage[T1]{fontenc}\usepackage[utf8]{inputenc}\usepackage{lmodern}
\usepackage[bookmarks=false,pdftitle={%(title)s}]{hyperref}
""",
    "plain": r"""\documentclass[11pt]{article}
\usepackage[a5paper,margin=18mm]{geometry}
\usepackage[T1]{fontenc}\usepackage[utf8]{inputenc}\usepackage{lmodern}
""",
}


def main() -> None:
    source, style = Path(sys.argv[1]), sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    title, found = sections(source)
    author = re.search(r"^Author: (.+)$", source.read_text("utf-8-sig"), re.M).group(1).strip()
    out = [PREAMBLES[style] % {"title": title, "author": author}, r"\begin{document}"]
    if style == "novel":
        out += [
            r"\frontmatter\thispagestyle{empty}",
            r"\begin{center}\vspace*{30mm}{\Huge "
            + title
            + r"}\\[8mm]{\Large "
            + author
            + r"}\end{center}",
            r"\clearpage\thispagestyle{empty}\noindent Typeset from the Project Gutenberg text.",
            r"\mainmatter",
        ]
    for name, paras in found[:limit]:
        if style == "novel":
            out.append(
                rf"\chapter*{{{name}}}\addcontentsline{{toc}}{{chapter}}{{{name}}}"
                rf"\markboth{{{name}}}{{{name}}}"
            )
        elif style == "twocolumn":
            out.append(rf"\section*{{{name}}}\addcontentsline{{toc}}{{section}}{{{name}}}")
        elif style == "headings":
            out.append(rf"\chapter*{{{name}}}")
        out.extend(escape(p) + "\n" for p in paras)
    out.append(r"\end{document}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
