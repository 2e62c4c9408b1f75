"""Re-execute chapters in place so that their stored outputs (what the HTML book shows) are
real, and store them as a reader should see them:

    CATUVAC_PROFILE=smoke python tests/execute_chapters.py book/elbo.ipynb [...]

Progress bars are plain ``tqdm`` text on stderr; consecutive stream outputs are merged and
each stored stream keeps only what a terminal would finally show (carriage returns and
tqdm's cursor-up moves applied), no widget state is kept in the notebook's metadata, and the
kernel is named as its spec names it (as JupyterLab would rewrite it).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ESCAPE = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def terminal_text(text: str) -> str:
    """What a terminal finally shows for ``text``: ``\\r`` returns to the line's start,
    ``ESC[nA`` moves up ``n`` lines (tqdm's nested bars), other escapes are dropped."""
    lines, row, col = [""], 0, 0
    pos = 0
    while pos < len(text):
        match = ESCAPE.match(text, pos)
        if match:
            if match.group(2) == "A":
                row = max(0, row - int(match.group(1) or 1))
            pos = match.end()
            continue
        char = text[pos]
        pos += 1
        if char == "\r":
            col = 0
        elif char == "\n":
            row, col = row + 1, 0
            if row == len(lines):
                lines.append("")
        else:
            line = lines[row].ljust(col)
            lines[row] = line[:col] + char + line[col + 1 :]
            col += 1
    shown = [line.rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    return "\n".join(shown) + ("\n" if shown else "")


def merged(outputs: list) -> list:
    """Consecutive stream outputs of the same stream joined into one."""
    joined: list = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and output.output_type == "stream"
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            joined.append(output)
    return joined


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata.pop("widgets", None)
    # The kernel's own spec, as JupyterLab writes it when the kernel starts: a notebook
    # that names the kernel otherwise opens marked modified.
    spec = KernelSpecManager().get_kernel_spec(nb.metadata.kernelspec.name)
    nb.metadata.kernelspec.display_name = spec.display_name
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in merged(cell.outputs):
            if output.output_type == "stream" and ("\r" in output.text or "\x1b" in output.text):
                output.text = terminal_text(output.text)
                if not output.text.strip():
                    continue
            data = output.get("data", {})
            data.pop("application/vnd.jupyter.widget-view+json", None)
            if output.output_type in ("display_data", "execute_result") and not data:
                continue
            outputs.append(output)
        cell.outputs = outputs
    return nb


def main(paths: list[str]) -> int:
    if paths and paths[0] == "--clean-only":
        for name in paths[1:]:
            nbformat.write(clean(nbformat.read(name, as_version=4)), name)
        return 0
    for name in paths:
        path = Path(name)
        start = time.time()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb, timeout=1800, resources={"metadata": {"path": str(path.parent)}}
        ).execute()
        nbformat.write(clean(nb), path)
        print(f"{path}: {time.time() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
