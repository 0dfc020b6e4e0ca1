"""What an editor asks while typing: completion, inspection, is_complete.

Completion is checked by what it does in the editor: replacing
code[cursor_start:cursor_end] with a match must give the completed text.
Cursor positions count Unicode code points (the protocol's rule since 5.2),
so a cell with non-ASCII text before the cursor is included.

Prints {"problems": [...]} for editor_test.go.
"""

from common import execute, problem, reply_for, run, start, stop


def complete(kc, code, cursor, want):
    """Completing at cursor must offer a match that turns code into want."""
    msg_id = kc.complete(code, cursor)
    c = reply_for(kc, msg_id)["content"]
    if c.get("status") != "ok":
        problem(f"complete {code!r}@{cursor}: {c}")
        return
    start_, end = c["cursor_start"], c["cursor_end"]
    if not (0 <= start_ <= end <= len(code)):
        problem(f"complete {code!r}@{cursor}: cursor_start {start_}, cursor_end {end} outside the code")
        return
    results = [code[:start_] + m + code[end:] for m in c["matches"]]
    if want not in results:
        problem(f"complete {code!r}@{cursor}: no match gives {want!r}; "
                f"matches {c['matches'][:10]} at [{start_}:{end}]")


def inspect(kc, code, cursor, *needles, detail=0):
    msg_id = kc.inspect(code, cursor, detail_level=detail)
    c = reply_for(kc, msg_id)["content"]
    text = c.get("data", {}).get("text/plain", "")
    if c.get("status") != "ok" or not c.get("found"):
        problem(f"inspect {code!r}@{cursor}: not found ({c})")
        return
    for n in needles:
        if n not in text:
            problem(f"inspect {code!r}@{cursor}: {n!r} not in {text[:300]!r}")


def is_complete(kc, code, status, indent=None):
    msg_id = kc.is_complete(code)
    c = reply_for(kc, msg_id)["content"]
    if c.get("status") != status:
        problem(f"is_complete {code!r}: {c.get('status')}, want {status}")
    elif indent is not None and c.get("indent") != indent:
        problem(f"is_complete {code!r}: indent {c.get('indent')!r}, want {indent!r}")


def main():
    km, kc = start()
    execute(kc, 'import "strings"\n\ntype Point struct{ X, Y int }\n\n'
                'func (p Point) Norm1() int { return p.X + p.Y }\n\n'
                '// distance is the Manhattan distance.\nfunc distance(a, b Point) int { return 0 }\n\n'
                'var origin = Point{}')

    complete(kc, "fmt.Prin", 8, "fmt.Println")
    complete(kc, 'import "str', 11, 'import "strings')
    complete(kc, "dist", 4, "distance")
    complete(kc, "x := orig", 9, "x := origin")
    # The cursor in the middle of a line, with more code after it.
    complete(kc, "strings.ToUp(s)", 12, "strings.ToUpper(s)")
    # Non-ASCII before the cursor: positions are code points, not bytes.
    complete(kc, 's := "año"; strings.ToLo', 24, 's := "año"; strings.ToLower')
    complete(kc, "origin.No", 9, "origin.Norm1")

    inspect(kc, "fmt.Println", 11, "Println", "func Println(a ...any)")
    inspect(kc, "fmt.Println(x)", 6, "Println")
    inspect(kc, "distance", 8, "func distance(a, b Point) int")
    inspect(kc, 's := "año"; strings.ToUpper', 26, "ToUpper")

    is_complete(kc, "func f() {", "incomplete")
    is_complete(kc, "func f() {\n\tif true {", "incomplete")
    is_complete(kc, "x := 1", "complete")
    is_complete(kc, "x := )", "invalid")
    stop(km, kc)


if __name__ == "__main__":
    run(main)
