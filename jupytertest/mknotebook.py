"""Write a gomp notebook with nbformat.

Usage: mknotebook.py OUT.ipynb [METADATA] < cells.json, where cells.json is
a list of {"source": "...", "tags": [...]} and METADATA, a JSON object,
replaces keys of the notebook's metadata (a Python kernelspec, a "lang").
The notebook is validated against the nbformat schema before it is
written.
"""

import json
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook


def main():
    cells = json.load(sys.stdin)
    nb = new_notebook(metadata={
        "kernelspec": {"name": "gomp", "display_name": "Go (mp)", "language": "go"},
        "language_info": {"name": "go", "file_extension": ".go"},
    })
    if len(sys.argv) > 2 and sys.argv[2]:
        nb.metadata.update(json.loads(sys.argv[2]))
    for c in cells:
        cell = new_code_cell(c["source"])
        if c.get("tags"):
            cell.metadata["tags"] = c["tags"]
        nb.cells.append(cell)
    nbformat.validate(nb)
    nbformat.write(nb, sys.argv[1])


if __name__ == "__main__":
    main()
