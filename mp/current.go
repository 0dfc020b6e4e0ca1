package mp

// CurrentProcess is the process running this code, as Python's
// current_process(): Name is "MainProcess" in the notebook's kernel and
// the Process's Name in a child; Pid() is its pid.
func CurrentProcess() *Process {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.current == nil {
		rt.current = &Process{Name: rt.self.name, Daemon: rt.self.daemon, role: roleCurrent, ident: rt.self.path}
	}
	return rt.current
}

// ParentProcess is the process that started this one, as Python's
// parent_process(); nil in the notebook's kernel.
func ParentProcess() *Process {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !rt.self.child {
		return nil
	}
	if rt.parent == nil {
		rt.parent = &Process{Name: rt.self.parentName, role: roleParent, parentPid: rt.self.parentPid}
	}
	return rt.parent
}

// ActiveChildren returns the processes this process started that are
// still running, as Python's active_children().
func ActiveChildren() []*Process {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.pruneLocked()
	return append([]*Process(nil), rt.children...)
}
