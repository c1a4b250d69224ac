//go:build !unix

package backup

import "os"

// flock does nothing where flock(2) does not exist: concurrent writers
// of the history are then not serialised.
func flock(*os.File, bool) error { return nil }
