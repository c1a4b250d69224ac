// Package evidence builds the document a security reviewer asks for: how
// an app's backups are configured today, what the repository holds, when
// the last check and the last restore drill ran, and whether the
// recovery objectives are met.
//
// [Collect] reads the configuration, the snapshots (straight from the
// repository, in one pass), the state records and the versions of the
// database tools, and returns a [Document]. Every field the Ruby
// kamal-backup prints keeps its name and meaning; new fields are only
// added. A piece of evidence that is missing is null, one that could not
// be read is {"error": "..."} at its place (see [Fact]): collecting never
// fails because one source failed.
//
// The document holds no secret: every string in it has passed the
// configuration's redactor (and Options.Redactor) before Collect returns.
//
// [Render] writes the document as canonical JSON (the contract, described
// field by field in docs/EVIDENCE_JSON.md and docs/evidence.schema.json),
// as Markdown (the story a reviewer reads) or as HTML.
package evidence
