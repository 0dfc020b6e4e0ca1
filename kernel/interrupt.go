package kernel

import (
	"context"
	"os"
	"os/signal"
)

// Interrupts come two ways, and both end in (*Kernel).Interrupt, which
// cancels the running cell's context:
//
//   - message mode: an interrupt_request on the control socket (handled in
//     handlers.go), served by its own goroutine while the shell is busy;
//   - signal mode: jupyter_client sends SIGINT to the kernel's process group.
//     With Options.HandleSIGINT, Serve turns those signals into interrupts.
//
// In signal mode the whole process group gets the SIGINT, so child processes
// a cell started receive it too and must handle it themselves.

// notifySIGINT starts relaying SIGINT to the returned channel, which also
// stops the default handler (that would kill the process). stop undoes it.
func notifySIGINT() (sigints <-chan os.Signal, stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	return sigs, func() { signal.Stop(sigs) }
}

// interruptOnSignal interrupts the running cell on each SIGINT until ctx ends.
func (k *Kernel) interruptOnSignal(ctx context.Context, sigints <-chan os.Signal) {
	for {
		select {
		case <-sigints:
			k.log.Printf("SIGINT received")
			k.Interrupt()
		case <-ctx.Done():
			return
		}
	}
}
