package s3

import (
	"errors"
	"fmt"

	"github.com/minio/minio-go/v7"
)

// wrap turns err from operation op on file into an *Error, explaining
// the server's answer and removing credentials from its message. A nil
// err stays nil; an error of fn (Load's callback, List's fn) must not be
// passed here.
func (b *Backend) wrap(op, file string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Location: b.location, Op: op, File: file}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.Code != "" || resp.StatusCode != 0) {
		e.Code, e.StatusCode = resp.Code, resp.StatusCode
		e.Err = &answerError{resp: resp, text: b.explain(resp)}
		return e
	}
	e.Err = &redactedError{msg: b.redactor.Redact(err.Error()), err: err}
	return e
}

// anonymous reports whether requests go unsigned: no static key is set
// and the shared credentials file has none either.
func (b *Backend) anonymous() bool {
	v, err := b.creds.Get()
	return err == nil && v.AccessKeyID == "" && v.SecretAccessKey == ""
}

// explain describes an S3 error answer for a person fixing the setup.
func (b *Backend) explain(resp minio.ErrorResponse) string {
	var hint string
	switch resp.Code {
	case "NoSuchKey":
		hint = "file does not exist"
	case "NoSuchBucket":
		hint = fmt.Sprintf("bucket %q does not exist", b.cfg.Bucket)
	case "AccessDenied", "AllAccessDisabled":
		hint = "access denied: check the key's permissions on the bucket"
		if b.anonymous() {
			hint = "access denied to anonymous requests: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
		}
	case "InvalidAccessKeyId", "XAdminUserNotFound":
		hint = "the server does not know the access key: check AWS_ACCESS_KEY_ID"
	case "SignatureDoesNotMatch":
		hint = "signature does not match: check AWS_SECRET_ACCESS_KEY"
	case "InvalidToken", "ExpiredToken", "TokenRefreshRequired":
		hint = "the session token is invalid or expired: check AWS_SESSION_TOKEN"
	case "AuthorizationHeaderMalformed", "PermanentRedirect", "InvalidRegion", "IllegalLocationConstraintException":
		hint = "wrong region"
		if resp.Region != "" {
			hint += fmt.Sprintf(": the bucket is in %q", resp.Region)
		}
		hint += "; set AWS_DEFAULT_REGION"
	case "InvalidRange":
		hint = "range not satisfiable"
	case "SlowDown", "Throttling", "ThrottlingException", "TooManyRequests":
		hint = "the server asks to slow down"
	}
	answer := fmt.Sprintf("%d %s", resp.StatusCode, resp.Code)
	if msg := resp.Message; msg != "" {
		answer += ": " + msg
	}
	answer = b.redactor.Redact(answer)
	if hint == "" {
		return answer
	}
	return hint + " (" + answer + ")"
}

// answerError is an S3 error answer with its explained, redacted text.
type answerError struct {
	resp minio.ErrorResponse
	text string
}

func (a *answerError) Error() string { return a.text }

// As lets errors.As find the minio.ErrorResponse.
func (a *answerError) As(target any) bool {
	if t, ok := target.(*minio.ErrorResponse); ok {
		*t = a.resp
		return true
	}
	return false
}

// redactedError is a cause whose message has been cleaned of credentials;
// errors.Is and errors.As still see the original (context.Canceled...).
type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }
