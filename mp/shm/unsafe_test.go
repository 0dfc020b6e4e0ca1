package shm

import "unsafe"

func unsafeAdd(w *uint32, n uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(w), n) }
