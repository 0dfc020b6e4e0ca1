"""jupyter_kernel_test, the Jupyter protocol's conformance suite, against gomp.

Every attribute of KernelTests is set, so every test of the suite runs (a
test whose attribute is empty would skip). Prints a JSON object mapping each
test (and subtest) to its outcome, which conformance_test.go turns into Go
subtests.
"""

import json
import os
import sys
import unittest

import jupyter_kernel_test

HELLO = '''import "fmt"

fmt.Println("hello, world")'''

STDERR = '''import (
	"fmt"
	"os"
)

fmt.Fprintln(os.Stderr, "oops")'''


class GompKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("GOMP_KERNEL", "gomp")
    language_name = "go"
    file_extension = ".go"

    code_hello_world = HELLO
    code_stderr = STDERR

    # The suite compares the set of matches exactly. gomp completes the word
    # under the cursor: after "fmt." the matches are the package's exported
    # names, and cursor_start points after the dot (completion_test.go checks
    # cursor_start and cursor_end separately).
    completion_samples = [
        {"text": "fmt.Prin", "matches": {"Print", "Printf", "Println"}},
        {"text": "strings.TrimSp", "matches": {"TrimSpace"}},
    ]
    complete_code_samples = [
        "1 + 2",
        'import "fmt"',
        "func f() int { return 1 }",
        "x := []int{\n\t1,\n\t2,\n}",
        "for i := 0; i < 3; i++ {\n}",
    ]
    incomplete_code_samples = [
        "func f() {",
        "x := []int{\n\t1,",
        "for i := 0; i < 3; i++ {\n\tfmt.Println(i)",
        "s := `raw",
    ]
    invalid_code_samples = [
        "}",
        "x := )",
        "func f() { return ] }",
    ]

    code_page_something = "?fmt.Println"
    code_generate_error = 'panic("boom")'
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"hi"', "result": '"hi"'},
        {"code": "[]int{1, 2, 3}", "result": "[1 2 3]"},
        {"code": "x := 6\nx * 7", "result": "42"},
    ]
    code_display_data = [
        {"code": 'import "display"\ndisplay.HTML("<b>hi</b>")', "mime": "text/html"},
        {"code": 'import "display"\ndisplay.Markdown("# hi")', "mime": "text/markdown"},
    ]
    # Must match one of code_execute_result's codes; the suite's "n" subtest
    # wants at least 3 matching history entries, which the repeated runs of
    # these samples provide.
    code_history_pattern = "1 +*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "fmt.Println"
    code_clear_output = 'import "display"\ndisplay.Clear(false)'


class Recorder(unittest.TextTestResult):
    """Keeps every test's and subtest's outcome."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.outcomes = {}

    def _record(self, test, status, detail=""):
        self.outcomes[_name(test)] = {"status": status, "detail": detail}

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcomes.setdefault(_name(test), {"status": "ok", "detail": ""})

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skip", reason)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is None:
            return
        # A skip inside a subtest arrives here as well, as SkipTest.
        if issubclass(err[0], unittest.SkipTest):
            self._record(subtest, "skip", str(err[1]))
        elif issubclass(err[0], test.failureException):
            self._record(subtest, "fail", self._exc_info_to_string(err, test))
        else:
            self._record(subtest, "error", self._exc_info_to_string(err, test))
        # The test as a whole failed if any subtest did.
        name = _name(test)
        if self.outcomes.get(name, {}).get("status") in (None, "ok"):
            self.outcomes[name] = {"status": "fail", "detail": "a subtest failed"}


def _name(test):
    """test_x for a test, 'test_x key=value ...' for a subtest."""
    case = getattr(test, "test_case", test)
    name = case.id().rsplit(".", 1)[-1]
    params = getattr(test, "params", None)
    if params:
        name += " " + " ".join(f"{k}={v}" for k, v in sorted(params.items()))
    return name


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(GompKernelTests)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=Recorder)
    result = runner.run(suite)
    json.dump(result.outcomes, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
