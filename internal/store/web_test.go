package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/parley"
)

// TestWebStore: accounts and sessions of the web UI, on every backend.
func TestWebStore(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		s := st.(parley.WebStore)
		testWebStore(t, s)
	})
}

func testWebStore(t *testing.T, s parley.WebStore) {
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	sue := parley.WebUser{Name: "sue", Role: parley.RoleSupervisor, Password: "$argon2id$x", TOTPSecret: "JBSWY3DPEHPK3PXP", CreatedAt: now}
	ana := parley.WebUser{Name: "ana", Role: parley.RoleAnalyst, Password: "$argon2id$y", CreatedAt: now}
	for _, u := range []parley.WebUser{sue, ana} {
		if err := s.AddWebUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddWebUser(ctx, ana); !errors.Is(err, parley.ErrExists) {
		t.Errorf("adding ana twice: %v, want ErrExists", err)
	}
	if err := s.AddWebUser(ctx, parley.WebUser{Name: "eve", Role: "root", Password: "x", CreatedAt: now}); err == nil {
		t.Errorf("a user with role root was stored")
	}
	got, err := s.WebUser(ctx, "sue")
	if err != nil || got != sue {
		t.Errorf("WebUser(sue) = %+v, %v; want %+v", got, err, sue)
	}
	if _, err := s.WebUser(ctx, "nobody"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("WebUser(nobody): %v, want ErrNotFound", err)
	}
	us, err := s.WebUsers(ctx)
	if err != nil || len(us) != 2 || us[0].Name != "ana" || us[1].Name != "sue" {
		t.Errorf("WebUsers = %+v, %v", us, err)
	}

	old := parley.WebSession{IDHash: "old", User: "ana", CSRF: "c0", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.AddWebSession(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WebSession(ctx, "old", now.Add(time.Hour)); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("an expired session: %v, want ErrNotFound", err)
	}
	fresh := parley.WebSession{IDHash: "fresh", User: "ana", CSRF: "c1", CreatedAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(10 * time.Hour)}
	if err := s.AddWebSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if ws, err := s.WebSession(ctx, "fresh", now.Add(3*time.Hour)); err != nil || ws != fresh {
		t.Errorf("WebSession(fresh) = %+v, %v; want %+v", ws, err, fresh)
	}
	if _, err := s.WebSession(ctx, "old", now); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("the expired session was not deleted when another was added: %v", err)
	}
	if err := s.DeleteWebSession(ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WebSession(ctx, "fresh", now.Add(3*time.Hour)); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("a deleted session: %v, want ErrNotFound", err)
	}
	if err := s.AddWebSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveWebUser(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WebSession(ctx, "fresh", now.Add(3*time.Hour)); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("a removed user's session: %v, want ErrNotFound", err)
	}
	if err := s.RemoveWebUser(ctx, "ana"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("removing ana twice: %v, want ErrNotFound", err)
	}
}
