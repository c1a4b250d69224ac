// Package backendtest is the conformance suite every backend.Backend
// implementation runs from its own tests:
//
//	func TestBackend(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) backend.Backend { return mem.New() })
//	}
//
// The suite only writes files named by the SHA-256 of their content, as a
// real repository does, so it also passes against servers that verify
// names (rest-server).
package backendtest
