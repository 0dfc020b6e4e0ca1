package mp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// LangEnv names the environment variable that sets the language of
// timelines drawn without a Lang of their own ("es" or "en"). gomp grade
// sets it for each notebook from the notebook's metadata; a teacher may
// set it in the kernelspec's env for a whole class.
const LangEnv = "GOMP_LANG"

// timelineWords is everything a drawn timeline says in words, in one
// language. Names are what the words are for, not the words themselves.
type timelineWords struct {
	empty          string // a timeline with no rows
	rowsName       string // the image's accessible name without a title, with %d rows
	running        string // a bar or a table cell still running
	busy           string // after a worker's time busy: "%s busy"
	workerNote     string // under the table, what a worker's from and to are
	thisProcess    string // under a span's name
	daemon         string
	task           string // a worker's chunk, singular; plural adds an s
	exit           string // "exit %d", in red under a process's name
	spanIn         string // tooltip of a span: "%s (span in pid %d): "
	from, to       string // tooltip: "from %s", " to %s, %s"
	toLastChunk    string // tooltip of a worker still alive: " to %s (...)"
	runningSoFar   string // tooltip: ", running (%s so far)"
	ran            string // tooltip of a worker: "; ran %s (%s), busy %s"
	chunk, item    string // singular nouns for the tooltip's counts
	startTook      string // "; Start took %s"
	exitCode       string // "; exit code %d"
	notStarted     string // the table's exit column before Start
	header, workHd string // the table's columns, and its worker column
	workCell       string // the worker column: "%s, %s, %s busy"
}

var timelineEnglish = &timelineWords{
	empty:        "No processes were started and no spans were marked since mp.NewTimeline().",
	rowsName:     "Timeline of %d rows",
	running:      "running",
	busy:         "%s busy",
	workerNote:   "A pool worker's from and to are its first and last chunk in the timeline (or its start and end, if within it).",
	thisProcess:  "this process",
	daemon:       "daemon",
	task:         "task",
	exit:         "exit %d",
	spanIn:       "%s (span in pid %d): ",
	from:         "from %s",
	to:           " to %s, %s",
	toLastChunk:  " to %s (its last chunk; it is still alive)",
	runningSoFar: ", still running (%s so far)",
	ran:          "; ran %s (%s), busy %s",
	chunk:        "task chunk",
	item:         "item",
	startTook:    "; Start took %s",
	exitCode:     "; exit code %d",
	notStarted:   "not started",
	header:       "\tpid\tfrom\tto\tduration\texit",
	workHd:       "\twork",
	workCell:     "%s, %s, %s busy",
}

var timelineSpanish = &timelineWords{
	empty:        "No se inició ningún proceso ni se marcó ningún tramo desde mp.NewTimeline().",
	rowsName:     "Línea de tiempo de %d filas",
	running:      "en curso",
	busy:         "%s ocupado",
	workerNote:   "En un trabajador de un Pool, desde y hasta son su primer y su último trozo en la línea de tiempo (o su inicio y su fin, si caen dentro de ella).",
	thisProcess:  "este proceso",
	daemon:       "demonio",
	task:         "tarea",
	exit:         "salida %d",
	spanIn:       "%s (tramo en el pid %d): ",
	from:         "desde %s",
	to:           " hasta %s, %s",
	toLastChunk:  " hasta %s (su último trozo; sigue vivo)",
	runningSoFar: ", en curso (%s hasta ahora)",
	ran:          "; hizo %s (%s), ocupado %s",
	chunk:        "trozo",
	item:         "elemento",
	startTook:    "; Start tardó %s",
	exitCode:     "; código de salida %d",
	notStarted:   "sin iniciar",
	header:       "\tpid\tdesde\thasta\tduración\tsalida",
	workHd:       "\ttrabajo",
	workCell:     "%s, %s, %s ocupado",
}

// timelineLanguage picks the words for lang: Spanish for "es" (or "es-MX",
// "es_AR.UTF-8"...), English for "en" and anything else but "", which
// means the default: $GOMP_LANG, or else the language in the metadata of
// the notebook this kernel runs (when the frontend says which it is),
// or else English.
func timelineLanguage(lang string) *timelineWords {
	if lang == "" {
		lang = defaultLanguage()
	}
	if isSpanish(lang) {
		return timelineSpanish
	}
	return timelineEnglish
}

func isSpanish(lang string) bool {
	lang = strings.ToLower(strings.TrimSpace(lang))
	return lang == "es" || strings.HasPrefix(lang, "es-") || strings.HasPrefix(lang, "es_") || strings.HasPrefix(lang, "es.")
}

// defaultLanguage is $GOMP_LANG, or the notebook's metadata "lang" (read
// once: a notebook's language does not change while it runs).
func defaultLanguage() string {
	if l := os.Getenv(LangEnv); l != "" {
		return l
	}
	notebookLang.once.Do(func() { notebookLang.lang = readNotebookLang() })
	return notebookLang.lang
}

var notebookLang struct {
	once sync.Once
	lang string
}

// readNotebookLang reads the "lang" of the notebook's metadata, for a
// kernel that Jupyter Server started for a notebook (JupyterLab, Notebook
// 7, a hub): Jupyter Server names the notebook in $JPY_SESSION_NAME,
// relative to its root, and starts the kernel in the notebook's folder.
// nbconvert and the classic Notebook name no notebook, so there it is "".
func readNotebookLang() string {
	name := os.Getenv("JPY_SESSION_NAME")
	if name == "" {
		return ""
	}
	candidates := []string{filepath.Base(name)}
	if filepath.IsAbs(name) {
		candidates = []string{name}
	}
	for _, path := range candidates {
		if lang, err := NotebookLang(path); err == nil {
			return lang
		}
	}
	return ""
}

// NotebookLang returns the natural language a notebook file's metadata
// declares ("lang", as in {"metadata": {"lang": "es"}}), "" if none.
func NotebookLang(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the notebook's language: %w", err)
	}
	var nb struct {
		Metadata struct {
			Lang string `json:"lang"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		return "", fmt.Errorf("reading the notebook's language from %s: %w", path, err)
	}
	return nb.Metadata.Lang, nil
}

// plural writes n and noun, with an s unless n is 1 (the nouns used here,
// English and Spanish, all take a plain s).
func (w *timelineWords) plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// exitLabel is a row's exit column: the code, or in words why there is none.
func (w *timelineWords) exitLabel(c ExitCode) string {
	switch c {
	case NotStarted:
		return w.notStarted
	case Running:
		return w.running
	}
	return c.String()
}
