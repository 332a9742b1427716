package parley_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

var cheapKDF = opendoorcrypto.Params{Time: 1, MemoryKiB: 8 << 10, Threads: 1}

// TestOpenDoorUseCases walks the open door's use cases over a real store: a
// first submission, a codename check (right and wrong), a staff reply that
// only the visitor and the organisation can open, deletion.
func TestOpenDoorUseCases(t *testing.T) {
	ctx := t.Context()
	org, _ := opendoorcrypto.GenerateKey()
	clock := &parleytest.FixedClock{T: time.Date(2026, 5, 1, 15, 4, 5, 0, time.UTC)}
	d := &parley.OpenDoor{Store: parleytest.NewStore(t), Key: org.Public(), Clock: clock}

	item, err := d.Seal(&opendoorcrypto.Content{Text: "the ledger is forged", Files: []opendoorcrypto.File{{Name: "l.csv", Type: "text/csv", Data: []byte("1,2")}}})
	if err != nil {
		t.Fatal(err)
	}
	cred, _ := opendoorcrypto.Derive("otter bamboo cliff", cheapKDF)
	v, err := d.Register(ctx, cred, item)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC); !v.Created.Equal(want) {
		t.Errorf("visitor created %v, want the date only (%v)", v.Created, want)
	}
	again, _ := opendoorcrypto.Derive("Otter-Bamboo CLIFF", cheapKDF)
	if got, err := d.Check(ctx, again); err != nil || got.ID != v.ID {
		t.Errorf("Check(right codename) = %v, %v", got.ID, err)
	}
	wrong, _ := opendoorcrypto.Derive("otter bamboo cliffs", cheapKDF)
	if _, err := d.Check(ctx, wrong); !errors.Is(err, parley.ErrUnknownCodename) {
		t.Errorf("Check(wrong codename) = %v, want ErrUnknownCodename", err)
	}

	it, c, err := parley.OpenDoorItem(ctx, d.Store, org, item.ID)
	if err != nil || c.Text != "the ledger is forged" || len(c.Files) != 1 || string(c.Files[0].Data) != "1,2" || !it.Created.Equal(v.Created) {
		t.Fatalf("OpenDoorItem = %+v, %+v, %v", it, c, err)
	}

	if _, err := d.Reply(ctx, item.ID, string(make([]byte, parley.MaxDoorReplyBytes+1))); !errors.Is(err, parley.ErrReplyTooLong) {
		t.Errorf("Reply(too long) = %v", err)
	}
	r, err := d.Reply(ctx, item.ID, "Thank you; we are looking into it.")
	if err != nil {
		t.Fatal(err)
	}
	replies, err := d.Replies(ctx, v.ID, again, 10)
	if err != nil || len(replies) != 1 || replies[0].Text != "Thank you; we are looking into it." {
		t.Errorf("Replies = %+v, %v", replies, err)
	}
	if _, err := d.Replies(ctx, v.ID, wrong, 10); err == nil {
		t.Error("another codename's key opened the reply")
	}
	if _, c, err := parley.OpenDoorItem(ctx, d.Store, org, r.ID); err != nil || c.Text != "Thank you; we are looking into it." {
		t.Errorf("the organisation cannot read its reply: %v", err)
	}

	if err := d.Store.DeleteDoorItem(ctx, item.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := parley.OpenDoorItem(ctx, d.Store, org, item.ID); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("OpenDoorItem after delete = %v, want ErrNotFound", err)
	}
	// Retention: 30 days later with 30 days' retention nothing goes; one day more and all does.
	clock.Advance(30 * 24 * time.Hour)
	if n, m, err := d.Purge(ctx, 30*24*time.Hour); err != nil || n != 0 || m != 0 {
		t.Errorf("Purge at 30 days = %d, %d, %v; want nothing", n, m, err)
	}
	clock.Advance(24 * time.Hour)
	if n, m, err := d.Purge(ctx, 30*24*time.Hour); err != nil || n != 1 || m != 1 {
		t.Errorf("Purge at 31 days = %d, %d, %v; want the reply and the visitor", n, m, err)
	}
}
