package rclone

// PID returns the process ID of r's rclone child.
func PID(r *Rclone) int { return r.proc.cmd.Process.Pid }
