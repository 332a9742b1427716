package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

// doorT0 is a date; the store keeps only dates.
var doorT0 = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

func doorVisitor(t *testing.T, n byte) parley.DoorVisitor {
	t.Helper()
	k, err := opendoorcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	v := parley.DoorVisitor{ID: parley.VisitorID{n}, ReplyKey: k.Public().Bytes(), Created: doorT0}
	v.Lookup[0], v.Verifier[0] = n, n
	return v
}

func doorItem(t *testing.T, org *opendoorcrypto.PrivateKey, v parley.VisitorID, kind opendoorcrypto.Kind, day time.Time, text string) parley.DoorItem {
	t.Helper()
	id := opendoorcrypto.NewItemID()
	body, wrapped, err := opendoorcrypto.SealItem(id, kind, (&opendoorcrypto.Content{Text: text}).Marshal(), org.Public())
	if err != nil {
		t.Fatal(err)
	}
	it := parley.DoorItem{ID: id, Visitor: v, Kind: kind, Created: day, Body: body, OrgKey: wrapped[0], Size: len(body)}
	if kind == opendoorcrypto.KindReply {
		it.VisitorKey = bytes.Repeat([]byte{9}, opendoorcrypto.WrappedKeySize)
	}
	return it
}

func TestOpenDoorStore(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		org, _ := opendoorcrypto.GenerateKey()
		v := doorVisitor(t, 1)
		first := doorItem(t, org, v.ID, opendoorcrypto.KindSubmission, doorT0, "first")
		if err := st.AddDoorVisitor(ctx, v, first); err != nil {
			t.Fatal(err)
		}
		got, err := st.DoorVisitor(ctx, v.Lookup)
		if err != nil || got.ID != v.ID || got.Verifier != v.Verifier || !bytes.Equal(got.ReplyKey, v.ReplyKey) || !got.Created.Equal(doorT0) {
			t.Errorf("DoorVisitor = %+v, %v; want %+v", got, err, v)
		}
		if _, err := st.DoorVisitorByID(ctx, v.ID); err != nil {
			t.Errorf("DoorVisitorByID: %v", err)
		}
		if _, err := st.DoorVisitor(ctx, [16]byte{99}); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("DoorVisitor(unknown) = %v, want ErrNotFound", err)
		}
		dup := doorVisitor(t, 1)
		dup.ID = parley.VisitorID{2}
		if err := st.AddDoorVisitor(ctx, dup, doorItem(t, org, dup.ID, opendoorcrypto.KindSubmission, doorT0, "x")); !errors.Is(err, parley.ErrExists) {
			t.Errorf("AddDoorVisitor(same lookup) = %v, want ErrExists", err)
		}
		if err := st.AddDoorItem(ctx, doorItem(t, org, parley.VisitorID{7}, opendoorcrypto.KindSubmission, doorT0, "x")); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("AddDoorItem(unknown visitor) = %v, want ErrNotFound", err)
		}
		later := doorItem(t, org, v.ID, opendoorcrypto.KindSubmission, doorT0.AddDate(0, 0, 2), "later")
		reply := doorItem(t, org, v.ID, opendoorcrypto.KindReply, doorT0.AddDate(0, 0, 1), "reply")
		for _, it := range []parley.DoorItem{later, reply} {
			if err := st.AddDoorItem(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		all, err := st.DoorItems(ctx, parley.DoorFilter{})
		if err != nil || len(all) != 3 || all[0].ID != later.ID || all[1].ID != reply.ID || all[2].ID != first.ID {
			t.Fatalf("DoorItems = %+v, %v; want later, reply, first", all, err)
		}
		if all[0].Body != nil || all[0].Size != len(later.Body) || all[0].Kind != opendoorcrypto.KindSubmission {
			t.Errorf("listing: %+v", all[0])
		}
		replies, err := st.DoorItems(ctx, parley.DoorFilter{Visitor: &v.ID, Kind: opendoorcrypto.KindReply, Bodies: true})
		if err != nil || len(replies) != 1 || !bytes.Equal(replies[0].Body, reply.Body) || !bytes.Equal(replies[0].VisitorKey, reply.VisitorKey) || !bytes.Equal(replies[0].OrgKey, reply.OrgKey) {
			t.Errorf("DoorItems(replies) = %+v, %v", replies, err)
		}
		if one, _ := st.DoorItems(ctx, parley.DoorFilter{Limit: 1}); len(one) != 1 {
			t.Errorf("DoorItems(Limit 1) = %d items", len(one))
		}
		it, err := st.DoorItem(ctx, first.ID)
		if err != nil || !bytes.Equal(it.Body, first.Body) || !bytes.Equal(it.OrgKey, first.OrgKey) || it.VisitorKey != nil || !it.Created.Equal(doorT0) {
			t.Fatalf("DoorItem = %+v, %v", it, err)
		}
		pt, err := opendoorcrypto.OpenItem(it.ID, it.Kind, it.Body, it.OrgKey, org)
		if c, _ := opendoorcrypto.ParseContent(pt); err != nil || c == nil || c.Text != "first" {
			t.Errorf("the stored item does not open: %v", err)
		}

		if err := st.DeleteDoorItem(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DoorItem(ctx, first.ID); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("DoorItem after delete = %v, want ErrNotFound", err)
		}
		if err := st.DeleteDoorItem(ctx, first.ID); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("DeleteDoorItem twice = %v, want ErrNotFound", err)
		}

		// Retention: items before the cut go; the visitor stays while an item remains.
		items, visitors, err := st.PurgeDoor(ctx, doorT0.AddDate(0, 0, 2))
		if err != nil || items != 1 || visitors != 0 {
			t.Errorf("PurgeDoor(day 2) = %d items, %d visitors, %v; want 1, 0", items, visitors, err)
		}
		items, visitors, err = st.PurgeDoor(ctx, doorT0.AddDate(0, 0, 3))
		if err != nil || items != 1 || visitors != 1 {
			t.Errorf("PurgeDoor(day 3) = %d items, %d visitors, %v; want 1, 1", items, visitors, err)
		}
		if _, err := st.DoorVisitor(ctx, v.Lookup); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("the purged visitor remains: %v", err)
		}
	})
}

// TestOpenDoorDeleteShredsSQLite: after DeleteDoorItem, no copy of the
// wrapped data key remains in the SQLite files (database, -wal, -shm), so
// the ciphertext that may survive elsewhere can no longer be opened, even
// with the open-door private key. This fails without secure_delete or
// without the write-ahead log's truncation.
func TestOpenDoorDeleteShredsSQLite(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(dir, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	org, _ := opendoorcrypto.GenerateKey()
	v := doorVisitor(t, 1)
	keep := doorItem(t, org, v.ID, opendoorcrypto.KindSubmission, doorT0, "keep")
	gone := doorItem(t, org, v.ID, opendoorcrypto.KindSubmission, doorT0, "gone")
	if err := st.AddDoorVisitor(ctx, v, keep); err != nil {
		t.Fatal(err)
	}
	if err := st.AddDoorItem(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if !filesContain(t, dir, gone.OrgKey) {
		t.Fatal("the wrapped key is not in the database files before deletion: the test cannot see it")
	}
	if err := st.DeleteDoorItem(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if filesContain(t, dir, gone.OrgKey) {
		t.Error("the deleted item's wrapped data key is still in the database files")
	}
	if !filesContain(t, dir, keep.OrgKey) {
		t.Error("the kept item's wrapped key is gone too")
	}
	if _, err := opendoorcrypto.OpenItem(gone.ID, gone.Kind, gone.Body, nil, org); err == nil {
		t.Error("the body opened without its wrapped key")
	}
}

// filesContain reports whether any file in dir contains b.
func filesContain(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}
