package mp

import (
	"os"

	"gomp/mp/shm"
)

// RemoveStale removes the shared-memory, manager and process-budget
// directories of this
// user's processes that died without cleaning up, such as a kernel's
// session killed by a Go fatal error; those of live processes stay. The
// kernel calls it when its session process is gone, so that a dead
// session's queues, pipes and managers do not outlive it.
func RemoveStale() {
	shm.RemoveStaleDirs("/dev/shm", shm.DirPrefix)
	shm.RemoveStaleDirs(os.TempDir(), shm.DirPrefix)
	shm.RemoveStaleDirs(os.TempDir(), managerDirPrefix)
	shm.RemoveStaleDirs(os.TempDir(), budgetDirPrefix)
}
