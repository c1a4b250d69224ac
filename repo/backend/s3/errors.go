package s3

import (
	"context"
	"errors"
	"io/fs"
	"net/http"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// Error is a failed S3 operation. Its message names the repository
// location (never credentials), the operation and the file, the cause in
// plain words where it is a common misconfiguration, and the server's
// answer: "s3:https://host/bucket/prefix: load keys/1f2e...: signature
// does not match: check AWS_SECRET_ACCESS_KEY (403 SignatureDoesNotMatch:
// The request signature we calculated does not match ...)".
type Error struct {
	// Location is the repository location, as Backend.Location.
	Location string
	// Op is the operation: "save", "load", "stat", "list", "remove" or
	// "create".
	Op string
	// File is the file operated on ("config", "data/ab/ab12...", "keys"
	// for a listing) or empty.
	File string
	// Code and StatusCode are the server's S3 error code and HTTP status,
	// empty for failures without an answer (network errors).
	Code       string
	StatusCode int
	// Err is the cause; its message is free of the credentials the
	// backend knows.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Location + ": " + e.Op
	if e.File != "" {
		msg += " " + e.File
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether retrying cannot help: see
// Backend.IsPermanentError.
func (e *Error) Permanent() bool {
	if e.Code != "" || e.StatusCode != 0 {
		return permanentAnswer(e.Code, e.StatusCode)
	}
	return permanentCause(e.Err)
}

// permanentCodes are S3 error codes that retrying cannot fix.
var permanentCodes = map[string]bool{
	"NoSuchKey": true, "NoSuchBucket": true, "AccessDenied": true, "AllAccessDisabled": true,
	"InvalidAccessKeyId": true, "XAdminUserNotFound": true, "SignatureDoesNotMatch": true, "InvalidToken": true,
	"ExpiredToken": true, "TokenRefreshRequired": true, "AccountProblem": true,
	"AuthorizationHeaderMalformed": true, "PermanentRedirect": true, "InvalidRegion": true,
	"IllegalLocationConstraintException": true, "InvalidBucketName": true,
	"InvalidRange": true, "InvalidObjectName": true, "XMinioInvalidObjectName": true,
	"MethodNotAllowed": true, "NotImplemented": true, "InvalidArgument": true,
	"InvalidObjectState": true, "BucketAlreadyExists": true,
}

// transientCodes are S3 error codes for overload or a passing failure.
var transientCodes = map[string]bool{
	"SlowDown": true, "RequestTimeout": true, "InternalError": true, "ServiceUnavailable": true,
	"OperationAborted": true, "XMinioServerNotInitialized": true,
	"BadDigest": true, "XAmzContentSHA256Mismatch": true, "IncompleteBody": true,
	"RequestTimeoutException": true, "Throttling": true, "ThrottlingException": true,
	"TooManyRequests": true, "ExpiredRequest": true,
}

// permanentAnswer classifies a server's error answer.
func permanentAnswer(code string, status int) bool {
	if transientCodes[code] {
		return false
	}
	if permanentCodes[code] {
		return true
	}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return false
	case status >= 400:
		return true
	}
	return false
}

// permanentCause classifies a failure without a server answer.
func permanentCause(err error) bool {
	switch {
	case errors.Is(err, backend.ErrShortFile), errors.Is(err, backend.ErrLengthMismatch),
		errors.Is(err, errInvalidHandle), errors.Is(err, errNoBucket), errors.Is(err, fs.ErrExist),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}

// errNoBucket is the cause when the bucket does not exist and may not be
// created.
var errNoBucket = errors.New("no such bucket")

// IsNotExist reports whether err means the file does not exist: the key
// does not, or its whole bucket does not (so that creating a repository
// finds no config before it creates the bucket).
func (b *Backend) IsNotExist(err error) bool {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || (resp.Code == "" && resp.StatusCode == http.StatusNotFound)
	}
	return errors.Is(err, fs.ErrNotExist)
}

// IsPermanentError reports whether retrying cannot help: the file does
// not exist; the server refused the credentials, the permission, the
// bucket (missing) or the region; a read went past the end of the file;
// a reader's length was wrong; or the context ended. Throttling, 5xx
// answers, timeouts and network failures are not permanent.
func (b *Backend) IsPermanentError(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Permanent()
	}
	return permanentCause(err)
}
