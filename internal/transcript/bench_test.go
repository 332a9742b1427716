package transcript

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkAppend appends entries through an Appender over a MemoryLog,
// committing the stored hashes every batch entries as a database would.
func BenchmarkAppend(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			m := memLog(b, 1<<16)
			// Room for what the benchmark appends, so that growing the
			// slice is not what is measured.
			m.hashes = slices.Grow(m.hashes, 2*b.N+64)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; {
				a := NewAppender(m.Size(), m)
				for j := 0; j < batch && i < b.N; j++ {
					if err := a.Append(entry(i)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				for _, s := range a.Stored() {
					if s.Index != int64(len(m.hashes)) {
						b.Fatalf("stored index %d, want %d", s.Index, len(m.hashes))
					}
					m.hashes = append(m.hashes, s.Hash)
				}
				m.n = a.Size()
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
		})
	}
}

const bigLogSize = 10_000_000

var bigLog struct {
	once sync.Once
	m    *MemoryLog
}

// big10M returns a MemoryLog of 10,000,000 entries, built once (seconds,
// about 700 MB).
func big10M(b *testing.B) *MemoryLog {
	b.Helper()
	if testing.Short() {
		b.Skip("builds a 10,000,000-entry log; skipped with -short")
	}
	bigLog.once.Do(func() {
		m := &MemoryLog{hashes: make([]tlog.Hash, 0, tlog.StoredHashCount(bigLogSize))}
		var e [32]byte
		for i := range bigLogSize {
			e[0], e[1], e[2], e[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
			if err := m.Append(e); err != nil {
				panic(err)
			}
		}
		bigLog.m = m
	})
	return bigLog.m
}

// BenchmarkProofVerify10M verifies an inclusion proof and a consistency
// proof against a 10,000,000-entry log, at random indexes and sizes.
func BenchmarkProofVerify10M(b *testing.B) {
	m := big10M(b)
	type job struct {
		e             [32]byte
		ip            InclusionProof
		old, size     int64
		oldRoot, root tlog.Hash
		cp            tlog.TreeProof
	}
	r := rand.New(rand.NewPCG(1, 2))
	jobs := make([]job, 1024)
	for i := range jobs {
		size := bigLogSize - r.Int64N(1000)
		old := 1 + r.Int64N(size)
		index := r.Int64N(size)
		var e [32]byte
		e[0], e[1], e[2], e[3] = byte(index), byte(index>>8), byte(index>>16), byte(index>>24)
		ip, err := m.Inclusion(index, size)
		if err != nil {
			b.Fatal(err)
		}
		cp, err := m.Consistency(old, size)
		if err != nil {
			b.Fatal(err)
		}
		oldRoot, _ := m.Root(old)
		root, _ := m.Root(size)
		jobs[i] = job{e, ip, old, size, oldRoot, root, cp}
	}
	b.Run("verify", func(b *testing.B) {
		start := time.Now()
		for i := range b.N {
			j := &jobs[i%len(jobs)]
			if err := VerifyInclusion(j.e, j.ip, j.root); err != nil {
				b.Fatal(err)
			}
			if err := VerifyConsistency(j.old, j.oldRoot, j.size, j.root, j.cp); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
	})
	b.Run("prove+verify", func(b *testing.B) {
		start := time.Now()
		for i := range b.N {
			j := &jobs[i%len(jobs)]
			ip, err := m.Inclusion(j.ip.Index, j.size)
			if err != nil {
				b.Fatal(err)
			}
			cp, err := m.Consistency(j.old, j.size)
			if err != nil {
				b.Fatal(err)
			}
			if err := VerifyInclusion(j.e, ip, j.root); err != nil {
				b.Fatal(err)
			}
			if err := VerifyConsistency(j.old, j.oldRoot, j.size, j.root, cp); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
	})
}

func BenchmarkSignCosign(b *testing.B) {
	alice := ed25519Key(b, "alice.example")
	bob := ed25519Key(b, "bob.example")
	c := testCheckpoint(1 << 20)
	signed := mustSign(b, c, alice)
	cosigned := mustCosign(b, signed, alice, bob, testTime)
	b.Run("Sign", func(b *testing.B) {
		for range b.N {
			if _, err := Sign(c, alice); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Cosign", func(b *testing.B) {
		for range b.N {
			if _, err := Cosign(signed, alice, bob, testTime); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open", func(b *testing.B) {
		for range b.N {
			if _, _, err := Open(cosigned, alice, bob); err != nil {
				b.Fatal(err)
			}
		}
	})
}
