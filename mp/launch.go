package mp

import (
	"context"

	"gomp/backend"
)

// launch gets a child running a Process: the idle warm child if there is
// one, else a new one; then it has the warm pool refilled, so that the
// next Start finds a child that has compiled the session already.
//
// The child counts in the kernel's process budget (budget.go) from here
// until it is reaped: past the limit, launch fails before any process is
// made.
func launch(ctx context.Context, out backend.Output, src *sessionSource, order *startOrder) (*childProc, error) {
	if err := budget.acquire(); err != nil {
		return nil, err
	}
	c, err := launchChild(ctx, out, src, order)
	if err != nil {
		budget.release()
		return nil, err
	}
	c.holdSlot()
	return c, nil
}

func launchChild(ctx context.Context, out backend.Output, src *sessionSource, order *startOrder) (*childProc, error) {
	pipes := !selfIdentity().child
	digest := src.digest()
	epoch := rt.warm.currentEpoch()
	if c := rt.warm.take(digest); c != nil {
		err := c.begin(ctx, out, src, digest, order)
		if err == nil {
			go rt.warm.refillAfter(c, epoch, src, digest, pipes)
			return c, nil
		}
		c.discard() // it died idle, or the send was interrupted
		if ctx.Err() != nil {
			return nil, err
		}
	}
	c, err := spawnChild(pipes)
	if err != nil {
		return nil, err
	}
	if err := c.begin(ctx, out, src, digest, order); err != nil {
		c.discard()
		return nil, err
	}
	go rt.warm.refillAfter(c, epoch, src, digest, pipes)
	return c, nil
}
