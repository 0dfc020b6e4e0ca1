package kernel

// echoHeartbeats answers every heartbeat ping with the same frames, until the
// heartbeat socket is closed. The socket is a ROUTER, so each message arrives
// prefixed with its sender's identity, and sending it back unchanged routes
// the echo to that sender: jupyter_client's REQ pinger gets its delimiter
// and "ping" back, and declares the kernel dead when it does not.
func (k *Kernel) echoHeartbeats() {
	for {
		frames, release, err := k.socks.hb.Recv()
		if err != nil {
			return // closed
		}
		if err := k.socks.hb.Send(frames); err != nil {
			k.plog.Printf("hb: echo: %v", err)
		}
		release()
	}
}
