//go:build race

package jupytertest

const raceEnabled = true
