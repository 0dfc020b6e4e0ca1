"""Check the nbgrader recipe of notebooks/README.md against what it claims.

Usage: nbgrader_shape.py README.md OUTDIR

Debian has no nbgrader, so this checks what can be checked without it: the
nbgrader_config.py the README shows (copied from it) loads with traitlets,
nbgrader's configuration loader, and its ClearSolutions.code_stub is a dict
with an entry for the notebooks' kernel language, "go"; the delimiters, if
set, are strings. It then writes, validated by nbformat, the teacher's
notebook (nbgrader cell metadata, the README's solution cell) and the
student's version, whose solution region is replaced by the stub by the
rule nbgrader's ClearSolutions follows (the lines from one containing
BEGIN SOLUTION to one containing END SOLUTION become the stub, indented as
the first). OUTDIR gets nbgrader_config.py, profesor.ipynb and
alumno.ipynb; stdout says "ok" and the stub.
"""

import json
import os
import re
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config.loader import PyFileConfigLoader


def section(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index("### Con nbgrader")
    end = text.index("\n## ", start)
    return text[start:end]


def block(text, lang):
    m = re.search(r"```" + lang + r"\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"no ```{lang} block in the nbgrader section")
    return m.group(1)


def clear_solutions(source, stub, begin="BEGIN SOLUTION", end="END SOLUTION"):
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub.split("\n"))
            inside = True
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        sys.exit("a solution region has no END SOLUTION")
    return "\n".join(out)


def main():
    readme, outdir = sys.argv[1], sys.argv[2]
    text = section(readme)
    config_py = os.path.join(outdir, "nbgrader_config.py")
    with open(config_py, "w", encoding="utf-8") as f:
        f.write(block(text, "python"))
    cfg = PyFileConfigLoader("nbgrader_config.py", path=outdir).load_config()
    clear = cfg.ClearSolutions
    stub = clear.code_stub
    if not isinstance(stub, dict) or not isinstance(stub.get("go"), str):
        sys.exit(f"ClearSolutions.code_stub is {stub!r}, want a dict with a 'go' entry")
    for name in ("begin_solution_delimeter", "end_solution_delimeter", "text_stub"):
        if name in clear and not isinstance(clear[name], str):
            sys.exit(f"ClearSolutions.{name} is {clear[name]!r}: nbgrader takes a string")
    begin = clear.get("begin_solution_delimeter", "BEGIN SOLUTION")
    end = clear.get("end_solution_delimeter", "END SOLUTION")

    solution = block(text, "go").rstrip("\n")
    test = re.search(r"`(if suma\(2, 3\) != 5 \{.*?\})`", text)
    if not test:
        sys.exit("no test cell (if suma(2, 3) != 5 { ... }) in the nbgrader section")

    def meta(grade_id, grade, solution, locked, points=None):
        m = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
        if points is not None:
            m["points"] = points
        return {"nbgrader": m}

    def notebook(solution_source):
        nb = new_notebook(metadata={
            "kernelspec": {"name": "gomp", "display_name": "Go (mp)", "language": "go"},
            "language_info": {"name": "go", "file_extension": ".go"},
        })
        nb.cells = [
            new_markdown_cell("Escribe `suma`.", metadata=meta("enunciado", False, False, True)),
            new_code_cell(solution_source, metadata=meta("suma", False, True, False)),
            new_code_cell(test.group(1), metadata=meta("prueba_suma", True, False, True, points=1)),
        ]
        nbformat.validate(nb)
        return nb

    nbformat.write(notebook(solution), os.path.join(outdir, "profesor.ipynb"))
    student = clear_solutions(solution, stub["go"], begin, end)
    if "BEGIN SOLUTION" in student or "return a + b" in student:
        sys.exit(f"the student's version still has the solution:\n{student}")
    nbformat.write(notebook(student), os.path.join(outdir, "alumno.ipynb"))
    print(json.dumps({"ok": True, "stub": stub["go"], "student": student}))


if __name__ == "__main__":
    main()
