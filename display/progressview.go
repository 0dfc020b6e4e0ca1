package display

import (
	"fmt"
	"strings"
	"time"
)

// progressBarWidth is the width of the text bar, in characters.
const progressBarWidth = 30

// progressHTML draws the bar with the HTML <progress> element, which the
// notebook sanitizer keeps, and the same figures as the text version.
func progressHTML(n, total int, elapsed time.Duration) string {
	bar := `<progress style="width:20em"></progress>` // no value: indeterminate
	if total > 0 {
		bar = fmt.Sprintf(`<progress value="%d" max="%d" style="width:20em"></progress>`,
			clamp(n, 0, total), total)
	}
	return `<div style="display:flex;align-items:center;gap:0.5em">` + bar +
		`<span style="font-family:monospace">` + progressFigures(n, total, elapsed) + `</span></div>`
}

// progressText draws the bar for consoles:
// [===========>                  ]  37/100  37%  1.2s
func progressText(n, total int, elapsed time.Duration) string {
	if total <= 0 {
		return progressFigures(n, total, elapsed)
	}
	filled := clamp(n, 0, total) * progressBarWidth / total
	bar := strings.Repeat("=", filled)
	if filled < progressBarWidth {
		bar += ">" + strings.Repeat(" ", progressBarWidth-filled-1)
	}
	return "[" + bar + "]  " + progressFigures(n, total, elapsed)
}

// progressFigures is "37/100  37%  1.2s", or "37  1.2s" without a total.
func progressFigures(n, total int, elapsed time.Duration) string {
	t := elapsed.Round(100 * time.Millisecond).String()
	if total <= 0 {
		return fmt.Sprintf("%d  %s", n, t)
	}
	pct := clamp(n, 0, total) * 100 / total
	return fmt.Sprintf("%d/%d  %d%%  %s", n, total, pct, t)
}

func clamp(n, lo, hi int) int {
	return max(lo, min(n, hi))
}
