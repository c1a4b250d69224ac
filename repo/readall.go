package repo

import (
	"fmt"
	"io"
)

// readAllLimit reads rd to EOF and fails if it yields more than limit bytes.
func readAllLimit(rd io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes", limit)
	}
	return b, nil
}
