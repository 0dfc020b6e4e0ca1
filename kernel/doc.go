// Package kernel is the Jupyter side of gomp: the connection file, the five
// ZeroMQ sockets, the wire format and its signatures, and the dispatch of
// every message type to a backend.Interpreter. It knows the messaging
// protocol (version 5.3) and nothing about Go; package eval implements the
// interpreter.
//
// # Use
//
// The gomp binary runs a kernel like this:
//
//	conn, err := kernel.ReadConnectionFile(path)
//	if err != nil { ... }
//	err = kernel.Serve(ctx, conn, interp, kernel.Options{
//		Logger:       log.New(os.Stderr, "gomp: ", log.LstdFlags),
//		HandleSIGINT: true, // interrupt_mode "signal"
//	})
//
// Serve returns nil after a shutdown_request (restart or not: a restart is the
// client starting a new process), so the process can exit 0; it returns ctx's
// error when ctx is cancelled. Before returning it has interrupted the running
// cell, called interp.Close once, ended every goroutine it started and
// closed every socket. The kernel logs to Options.Logger only: stdout is never
// written.
//
// Listen and (*Kernel).Serve split the two steps, for a caller that needs the
// ports bound before serving (ports given as 0 are chosen by the system).
//
// # Design
//
// The files each hold one part:
//
//	connection.go    connection files and endpoints
//	wire.go          message frames: identities, delimiter, signature, JSON parts
//	signature.go     HMAC-SHA256 signing, constant-time checks, replay refusal
//	zmtp.go          ZMTP 3: greeting, NULL handshake, bounded frames, accepting
//	admission.go     what a peer without the key can make the kernel hold
//	routersocket.go  the ROUTER socket of shell, control, stdin and heartbeat
//	pubsocket.go     the PUB socket of iopub (both say why not zmq4's), and
//	                 the welcome (JEP 65) each new subscriber gets, alone
//	sockets.go       binding the five sockets
//	dispatch.go      the dispatch table, busy/idle wrapping, reading sockets
//	handlers.go      kernel_info, complete, inspect, is_complete, comms,
//	                 shutdown, interrupt, input_reply
//	execute.go       execute_request, execution count, stop_on_error aborts
//	history.go       in-memory history and history_request
//	output.go        the backend.Output a cell writes to
//	iopub.go         publishing on iopub: ordered, at once, streams coalesced
//	throttle.go      output limits: a budget per cell, rates per kernel
//	stdin.go         input_request / input_reply
//	logging.go       rate-limited, clipped log lines about peers
//	heartbeat.go     the heartbeat echo
//	interrupt.go     SIGINT as interrupt
//
// Goroutines, each with an owner and an end, all started by Serve:
//
//   - shell reader: decodes shell messages into a queue; serves a
//     shutdown_request at once; ends when the socket is closed;
//   - shell worker: serves the queue one request at a time (so Execute never
//     runs concurrently); ends when Serve's context is cancelled;
//   - control reader: serves interrupt and shutdown requests as they come,
//     so they are answered while a cell runs, and queues the others; ends
//     with its socket;
//   - control worker: serves the other control requests in order (a
//     completion that waits for the interpreter waits here, never in front
//     of an interrupt); ends when Serve's context is cancelled;
//   - stdin reader: hands input_reply to the waiting cell; ends with its
//     socket;
//   - heartbeat: echoes pings; ends with its socket;
//   - stream flusher (iopub.go's run): sends stream text held for
//     coalescing when its delay has passed; ends when Serve shuts the
//     publisher down, which then closes the PUB socket;
//   - in each socket: an accept loop, and per connection one goroutine that
//     performs its handshake (under a deadline) and then reads it, and on
//     iopub one more that writes its queue; they end when the connection or
//     the socket is closed;
//   - the memory returner's timer (admission.go), at most one at a time:
//     stopped, or waited for, when Serve returns;
//   - SIGINT watcher (with HandleSIGINT): ends with Serve's context.
//
// Messages with a wrong, missing or replayed signature, or no header, are
// logged and dropped, never acted on. Unknown message types are logged and
// ignored; malformed content gets an error reply. What peers make the kernel
// log is rate-limited and clipped (logging.go), and what a peer without the
// key can make it hold is bounded (admission.go). A subscriber that stops
// reading iopub loses messages rather than slowing the others
// (pubsocket.go). A cell that prints without end is cut at its budget and
// paced beyond a burst (throttle.go); its other messages are never dropped.
package kernel
