// Package remote carries the backend seam across a process boundary, so that
// the process speaking the Jupyter protocol never runs user code.
//
// The kernel holds a Client, a backend.Interpreter that starts a session
// process (gomp session) and forwards every call to it over a socketpair
// the session inherits as fd 3; the session runs Serve with the real
// interpreter (eval) on its end. Output callbacks come back as frames naming
// the execute they belong to, so output that arrives after a cell returned
// is still published under that cell; input requests, interrupts and
// editor requests cross the same channel while a cell runs.
//
// A Go fatal error in a cell (concurrent map writes, a stack overflow, out
// of memory) ends the session process, not the kernel: the running cell
// fails with the runtime's message read from the session's stderr, the
// kernel starts a new session for the next cell, and its connection,
// execution count and history are untouched. The new session starts from
// the notebook's declarations: after each cell, a session that is a
// Replayer (eval's) sends its replay log, bytes the kernel keeps without
// reading, and the kernel gives the last one to the next session in the
// start frame that opens every channel. The session is in a process
// group of its own (Jupyter's SIGINT to the kernel's group never reaches
// it, so a cell cannot ignore or die of it) and dies with the kernel
// (PDEATHSIG).
//
//	wire.go     frames: length-prefixed JSON, bounded by MaxFrame
//	server.go   the session side: Serve, the Output that sends frames
//	outbox.go   the session's way out: stream text gathered into frames, in order
//	client.go   the kernel side: Client, one session process at a time
//	process.go  starting a session process (group, PDEATHSIG, stderr pipe)
//	death.go    the fatal message from stderr, and the error a cell gets
//
// Goroutines, all ended: per session, a reader (until the channel ends), a
// reaper (until the process exits), a stderr copier (until the pipe's EOF)
// and one per pending input request (until the answer or a cancel); in the
// session, one per running request (until the interpreter returns) and
// the outbox's flusher (until Serve returns). One goroutine locked to its
// thread starts every session and lives as long as the kernel, because
// PDEATHSIG follows the forking thread.
package remote
