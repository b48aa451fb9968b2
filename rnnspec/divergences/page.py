"""The table of known divergences as docs/divergences.md shows it, generated from the table: `rnnspec divergences`
prints it, `rnnspec divergences --update docs/divergences.md` writes it between the page's markers."""

import argparse
import re
from pathlib import Path

from rnnspec.divergences.table import DIVERGENCES, Divergence

PAGE = "docs/divergences.md"
PAGE_START = f"<!-- generated from rnnspec/divergences/table.py by `rnnspec divergences --update {PAGE}` -->"
PAGE_END = "<!-- end of the generated table -->"
REPRODUCERS_FOLDER = "../rnnspec/divergences/reproducers"  # relative to the page, in docs/
GITHUB_ISSUE = re.compile(r"https://github\.com/([^/]+/[^/]+)/(?:issues|pull)/(\d+)")


def issue_link(url: str) -> str:
    found = GITHUB_ISSUE.fullmatch(url)
    return f"[{found[1]}#{found[2]}]({url})" if found else url


def reproducer_link(row: Divergence) -> str:
    needs = " (needs a GPU)" if row.reproducer_needs_gpu else ""
    return f"[{row.reproducer}]({REPRODUCERS_FOLDER}/{row.reproducer}.py){needs}"


def markdown_table() -> str:
    lines = ["| divergence | where | reproducer | upstream |", "| --- | --- | --- | --- |"]
    for row in DIVERGENCES:
        upstream = ", ".join(map(issue_link, row.upstream)) or "none found"
        where = f"{row.condition.words}; seen on {row.seen_on}"
        lines.append(f"| {row.reason} | {where} | {reproducer_link(row)} | {upstream} |")
    return "\n".join(lines)


def table_span(readme: str) -> tuple[int, int]:
    return readme.index(PAGE_START) + len(PAGE_START), readme.index(PAGE_END)


def shown_table(page: str) -> str:
    """The table between the page's markers."""
    start, end = table_span(page)
    return page[start:end].strip()


def with_table(readme: str, table: str) -> str:
    start, end = table_span(readme)
    return f"{readme[:start]}\n{table}\n{readme[end:]}"


def main(argv=None, prog="python -m rnnspec.divergences.page") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="The table of known divergences, in Markdown.")
    parser.add_argument("--update", metavar="PAGE", type=Path, help="write it between the markers of this file")
    arguments = parser.parse_args(argv)
    if arguments.update and not arguments.update.is_file():
        parser.error(f"{arguments.update}: no such file")
    if arguments.update:
        arguments.update.write_text(with_table(arguments.update.read_text(), markdown_table()))
    else:
        print(markdown_table())


if __name__ == "__main__":
    main()
