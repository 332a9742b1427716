package web

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0m left"},
		{90 * time.Second, "2m left"},
		{time.Hour, "1h left"},
		{26*time.Hour + 5*time.Minute, "1d 2h 5m left"},
		{-45 * time.Minute, "45m overdue"},
		{-48 * time.Hour, "2d overdue"},
	} {
		if got := ago(tt.d); got != tt.want {
			t.Errorf("ago(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
