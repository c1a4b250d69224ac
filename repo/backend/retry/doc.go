// Package retry wraps a backend.Backend so that transient failures
// (timeouts, resets, 5xx answers, throttling) are retried with exponential
// backoff and jitter for a bounded total time, as restic 0.17+ does: 1 s,
// then doubling up to 60 s between attempts, giving up after 15 minutes,
// with at least one retry.
//
// Permanent failures (not found, permission denied, a read past the end,
// a wrong reader length) are not retried. Not-found errors come back as
// the wrapped backend returned them; every other failure comes back as an
// *Error naming the operation, the file, the repository location
// (credentials redacted by the backend's Location) and the last cause.
//
// Each operation keeps its contract across attempts: Save rewinds its
// reader before every attempt and, on backends without atomic replace,
// removes a partial upload after a failed attempt; Load calls fn again only
// when reading failed, never when fn itself returned an error; List hands
// each name to fn at most once across attempts; a retried Remove that finds
// the file gone succeeds. A file whose Load gave up is refused at once for
// an hour, so that a broken file cannot stall a long read for 15 minutes
// at every access.
package retry
