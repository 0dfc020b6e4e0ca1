package mp

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// checkPeerUser refuses a Unix-socket peer that runs as another user: a
// manager's socket lives in a mode-0700 directory, which already should.
func checkPeerUser(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return credErr
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("refused a process of uid %d", cred.Uid)
	}
	return nil
}
