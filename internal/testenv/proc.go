package testenv

import (
	"reflect"
	"syscall"
	"testing"
)

// freeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freeTCPPort(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// setParentDeathSignal asks the kernel to send sig to a server started by
// a test if the test binary dies without stopping it. The field exists on
// Linux only; it is set by reflection to keep this file portable.
func setParentDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) {
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.Type() == reflect.TypeOf(sig) {
		f.Set(reflect.ValueOf(sig))
	}
}
