package retention

import "time"

// bucket returns the bucket of the rule with the given name (see
// Policy.counts and Policy.withins) for a snapshot taken at t with index
// nr in its group, newest first. Calendar fields are read in the location
// t carries, which for a decoded snapshot is the UTC offset stored with
// it. Snapshots in the same bucket get the same number; "last" puts every
// snapshot in a bucket of its own.
func bucket(name string, t time.Time, nr int) int {
	switch name {
	case "hourly":
		return t.Year()*1000000 + int(t.Month())*10000 + t.Day()*100 + t.Hour()
	case "daily":
		return t.Year()*10000 + int(t.Month())*100 + t.Day()
	case "weekly":
		y, w := t.ISOWeek()
		return y*100 + w
	case "monthly":
		return t.Year()*100 + int(t.Month())
	case "yearly":
		return t.Year()
	}
	return nr // "last"
}
