// Package interoptest holds what the remote backends' round-trip tests
// share: reproducible random data, repositories made with a cheap key
// derivation, reading a file back out of a fresh connection, running the
// pinned restic on the same repository, and the three interoperability
// checks every remote backend runs:
//
//	func TestResticReadsOurs(t *testing.T) {
//		interoptest.ResticReadsOurs(t, newRemote(t))
//	}
//
// It lives apart from backendtest because it imports repo, which the
// backend conformance suite must not.
package interoptest
