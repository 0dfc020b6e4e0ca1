package main

import (
	"io"
	"os"
	"syscall"
)

// kernelLogOutput is where the kernel's log goes: a duplicate of the
// process's stderr, made at start. A cell may close fd 2
// (syscall.Close(2)); the next socket the kernel accepts then gets that
// number, and a log written to fd 2 would go to whoever is on the other end.
// The duplicate stays what Jupyter gave the kernel as stderr. It is
// close-on-exec, so child processes do not inherit it.
func kernelLogOutput() io.Writer {
	fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(syscall.Stderr), syscall.F_DUPFD_CLOEXEC, 3)
	if errno != 0 {
		return os.Stderr // no descriptor to spare: the log still works
	}
	return os.NewFile(fd, "/dev/stderr (the kernel's log)")
}
