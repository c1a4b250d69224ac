package s3

// SetMultipartSize lowers the multipart threshold and part size for a
// test and returns the function that restores it.
func SetMultipartSize(n int64) (restore func()) {
	old := multipartSize
	multipartSize = n
	return func() { multipartSize = old }
}
