//go:build race

package opendoor_test

const raceEnabled = true
