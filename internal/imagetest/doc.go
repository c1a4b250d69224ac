// Package imagetest holds the tests of the kamal-backup accessory image,
// which cannot be built where the tests run (there is no Docker engine):
//
//   - static checks of the Dockerfile (stages, the static build, tini as
//     PID 1 in front of kamal-backup, schedule as the default command, the
//     non-root user, the state volume, pinned base images, apt hygiene);
//   - the pinned Dockerfile linter, scripts/lint-dockerfile;
//   - the runtime contract on this machine, scripts/image-smoke: the
//     image's Debian packages installed here and the binary, built with the
//     image's flags, run the way the image runs it;
//   - the Kamal examples in examples/kamal, loaded by the real
//     configuration loader and checked against the image and each other.
//
// A missing tool (the npm linter, a Debian package) skips its test, and
// fails it when the CI environment variable is "true", as in
// internal/testenv. The package has no code of its own.
package imagetest
