package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
)

// The tests below pin the ContactStore contract (internal/parley/contact.go)
// on every backend: an invitation's secret and identity file live only while
// it is pending; every way out of pending (burn, decline, expiry,
// acceptance) wipes them in the same statement that ends it, and only from
// pending.

// contactT0 is the creation time of every invitation in these tests.
var contactT0 = time.UnixMilli(1_750_000_000_000).UTC()

// newInvitation stores a pending invitation in direction dir: outbound ones
// carry a secret, inbound ones the inviter's identity file, as the node
// stores them.
func newInvitation(t *testing.T, st parley.Store, dir parley.Direction) parley.Invitation {
	t.Helper()
	inv := parley.Invitation{
		ID: envelope.NewID(), Direction: dir, PeerURL: "https://peer.example", Purpose: "liaison",
		Status: parley.InvitePending, CreatedAt: contactT0, ExpiresAt: contactT0.Add(72 * time.Hour),
	}
	if dir == parley.Outbound {
		inv.Secret = []byte("geneve\x00mont blanc")
	} else {
		inv.Identity = parley.ExportIdentity(parleytest.Identity(t, "inviter"), "inviter", "https://peer.example")
	}
	if err := st.CreateInvitation(t.Context(), inv); err != nil {
		t.Fatalf("CreateInvitation: %v", err)
	}
	return inv
}

// invitation reads back an invitation that must exist.
func invitation(t *testing.T, st parley.Store, id envelope.ID, dir parley.Direction) parley.Invitation {
	t.Helper()
	inv, err := st.Invitation(t.Context(), id, dir)
	if err != nil {
		t.Fatalf("Invitation(%s, %s): %v", id, dir, err)
	}
	return inv
}

// checkEnded checks that inv ended with status at now and kept nothing
// secret: no secret, no identity file.
func checkEnded(t *testing.T, inv parley.Invitation, status string, now time.Time) {
	t.Helper()
	if inv.Status != status {
		t.Errorf("status = %q, want %q", inv.Status, status)
	}
	if !inv.EndedAt.Equal(now) {
		t.Errorf("ended_at = %v, want %v", inv.EndedAt, now)
	}
	if inv.Secret != nil || inv.Identity != nil {
		t.Errorf("an ended invitation keeps secret %q and identity file of %d bytes, want both wiped", inv.Secret, len(inv.Identity))
	}
}

// checkUnchanged compares every stored field of two reads of an invitation.
func checkUnchanged(t *testing.T, got, want parley.Invitation) {
	t.Helper()
	if got.Status != want.Status || got.Attempts != want.Attempts || !bytes.Equal(got.Secret, want.Secret) ||
		!bytes.Equal(got.Identity, want.Identity) || !got.EndedAt.Equal(want.EndedAt) || got.Peer != want.Peer ||
		!bytes.Equal(got.Answer, want.Answer) {
		t.Errorf("invitation changed:\ngot  status %s attempts %d secret %q identity %d bytes ended %v peer %s answer %d bytes\n"+
			"want status %s attempts %d secret %q identity %d bytes ended %v peer %s answer %d bytes",
			got.Status, got.Attempts, got.Secret, len(got.Identity), got.EndedAt, got.Peer, len(got.Answer),
			want.Status, want.Attempts, want.Secret, len(want.Identity), want.EndedAt, want.Peer, len(want.Answer))
	}
}

// invitee is the peer an accepted invitation pins, named name.
func invitee(t *testing.T, name string, purpose string) parley.Peer {
	t.Helper()
	self, other := parleytest.Identity(t, "self"), parleytest.Identity(t, "invitee-"+name)
	return parley.Peer{Name: name, URL: "https://" + name + ".example", Purpose: purpose, Identity: other.Public(),
		Channel: parley.ChannelID(self.Fingerprint(), other.Fingerprint()), AddedAt: contactT0.Add(time.Minute)}
}

// endIn brings a fresh invitation to status by the store's own operations.
func endIn(t *testing.T, st parley.Store, inv parley.Invitation, status string, now time.Time) {
	t.Helper()
	ctx := t.Context()
	var err error
	switch status {
	case parley.InvitePending:
	case parley.InviteAccepted:
		err = st.CompleteInvitation(ctx, inv.ID, inv.Direction, invitee(t, "ended-"+inv.ID.String()[:8], "liaison"), []byte("yes"), now)
	case parley.InviteBurnt:
		_, err = st.CountAttempt(ctx, inv.ID, inv.Direction, 1, now)
	default:
		err = st.EndInvitation(ctx, inv.ID, inv.Direction, status, now)
	}
	if err != nil {
		t.Fatalf("bringing the invitation to %s: %v", status, err)
	}
	if got := invitation(t, st, inv.ID, inv.Direction); got.Status != status {
		t.Fatalf("invitation is %s, want %s", got.Status, status)
	}
}

var endedStatuses = []string{parley.InviteAccepted, parley.InviteDeclined, parley.InviteBurnt, parley.InviteExpired}

func TestInvitationRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		for _, dir := range []parley.Direction{parley.Outbound, parley.Inbound} {
			t.Run(string(dir), func(t *testing.T) {
				want := newInvitation(t, st, dir)
				got := invitation(t, st, want.ID, dir)
				if got.ID != want.ID || got.Direction != dir || got.PeerURL != want.PeerURL || got.Purpose != want.Purpose ||
					got.Status != parley.InvitePending || got.Attempts != 0 || !bytes.Equal(got.Secret, want.Secret) ||
					!bytes.Equal(got.Identity, want.Identity) || !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
					t.Errorf("Invitation = %+v\nwant %+v", got, want)
				}
				if !got.EndedAt.IsZero() || got.Peer != (envelope.Fingerprint{}) || got.Answer != nil {
					t.Errorf("a new invitation has ended_at %v, peer %s, answer %q; want none", got.EndedAt, got.Peer, got.Answer)
				}
				if err := st.CreateInvitation(ctx, want); !errors.Is(err, parley.ErrExists) {
					t.Errorf("CreateInvitation(same id and direction) = %v, want ErrExists", err)
				}
				// The same id in the other direction is another invitation.
				other := want
				other.Direction = map[parley.Direction]parley.Direction{parley.Inbound: parley.Outbound, parley.Outbound: parley.Inbound}[dir]
				if err := st.CreateInvitation(ctx, other); err != nil {
					t.Errorf("CreateInvitation(same id, other direction) = %v, want nil", err)
				}
				if _, err := st.Invitation(ctx, envelope.NewID(), dir); !errors.Is(err, parley.ErrNotFound) {
					t.Errorf("Invitation(unknown id) = %v, want ErrNotFound", err)
				}
			})
		}
		// Invitations lists one direction, oldest first.
		var ids []envelope.ID
		for i := range 3 {
			inv := parley.Invitation{ID: envelope.NewID(), Direction: parley.Outbound, PeerURL: "https://x.example", Purpose: "social",
				Secret: []byte("s"), Status: parley.InvitePending, CreatedAt: contactT0.Add(time.Duration(3-i) * time.Hour), ExpiresAt: contactT0.Add(100 * time.Hour)}
			if err := st.CreateInvitation(ctx, inv); err != nil {
				t.Fatal(err)
			}
			ids = append([]envelope.ID{inv.ID}, ids...)
		}
		list, err := st.Invitations(ctx, parley.Outbound)
		if err != nil {
			t.Fatal(err)
		}
		var got []envelope.ID
		for _, inv := range list {
			if inv.Direction != parley.Outbound {
				t.Errorf("Invitations(out) lists an invitation with direction %q", inv.Direction)
			}
			if inv.Purpose == "social" {
				got = append(got, inv.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("Invitations(out) order = %v, want oldest first %v", got, ids)
		}
	})
}

func TestCountAttempt(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		now := contactT0.Add(time.Hour)
		for _, dir := range []parley.Direction{parley.Outbound, parley.Inbound} {
			t.Run(string(dir)+"/burns at max", func(t *testing.T) {
				inv := newInvitation(t, st, dir)
				for i := 1; i <= 3; i++ {
					at := now.Add(time.Duration(i) * time.Second)
					got, err := st.CountAttempt(ctx, inv.ID, dir, 3, at)
					if err != nil {
						t.Fatalf("attempt %d: %v", i, err)
					}
					stored := invitation(t, st, inv.ID, dir)
					for _, x := range []struct {
						what string
						inv  parley.Invitation
					}{{"returned", got}, {"stored", stored}} {
						if x.inv.Attempts != i {
							t.Errorf("attempt %d: %s attempts = %d, want %d", i, x.what, x.inv.Attempts, i)
						}
						if i < 3 {
							if x.inv.Status != parley.InvitePending || !bytes.Equal(x.inv.Secret, inv.Secret) || !bytes.Equal(x.inv.Identity, inv.Identity) || !x.inv.EndedAt.IsZero() {
								t.Errorf("attempt %d of 3: %s invitation is %s with secret %q, identity %d bytes, ended %v; want it pending and intact",
									i, x.what, x.inv.Status, x.inv.Secret, len(x.inv.Identity), x.inv.EndedAt)
							}
						} else {
							checkEnded(t, x.inv, parley.InviteBurnt, at)
						}
					}
				}
				// A burnt invitation counts no more and stays as it is.
				before := invitation(t, st, inv.ID, dir)
				got, err := st.CountAttempt(ctx, inv.ID, dir, 3, now.Add(time.Hour))
				if err != nil {
					t.Fatalf("CountAttempt on a burnt invitation: %v", err)
				}
				if got.Status != parley.InviteBurnt || got.Attempts != 3 {
					t.Errorf("CountAttempt on a burnt invitation returned %s with %d attempts, want burnt with 3", got.Status, got.Attempts)
				}
				checkUnchanged(t, invitation(t, st, inv.ID, dir), before)
			})
		}
		t.Run("max 1 burns at the first attempt", func(t *testing.T) {
			inv := newInvitation(t, st, parley.Outbound)
			got, err := st.CountAttempt(ctx, inv.ID, parley.Outbound, 1, now)
			if err != nil {
				t.Fatal(err)
			}
			checkEnded(t, got, parley.InviteBurnt, now)
			checkEnded(t, invitation(t, st, inv.ID, parley.Outbound), parley.InviteBurnt, now)
		})
		for _, status := range []string{parley.InviteAccepted, parley.InviteDeclined, parley.InviteExpired} {
			t.Run("on "+status, func(t *testing.T) {
				inv := newInvitation(t, st, parley.Inbound)
				endIn(t, st, inv, status, now)
				before := invitation(t, st, inv.ID, parley.Inbound)
				got, err := st.CountAttempt(ctx, inv.ID, parley.Inbound, 3, now.Add(time.Minute))
				if err != nil {
					t.Fatalf("CountAttempt: %v", err)
				}
				if got.Status != status || got.Attempts != 0 {
					t.Errorf("CountAttempt returned %s with %d attempts, want %s with 0", got.Status, got.Attempts, status)
				}
				checkUnchanged(t, invitation(t, st, inv.ID, parley.Inbound), before)
			})
		}
		t.Run("unknown", func(t *testing.T) {
			inv := newInvitation(t, st, parley.Outbound)
			for _, x := range []struct {
				name string
				id   envelope.ID
				dir  parley.Direction
			}{{"unknown id", envelope.NewID(), parley.Outbound}, {"other direction", inv.ID, parley.Inbound}} {
				if _, err := st.CountAttempt(ctx, x.id, x.dir, 3, now); !errors.Is(err, parley.ErrNotFound) {
					t.Errorf("%s: CountAttempt = %v, want ErrNotFound", x.name, err)
				}
			}
			if got := invitation(t, st, inv.ID, parley.Outbound); got.Attempts != 0 {
				t.Errorf("the outbound invitation counted %d attempts for another direction's, want 0", got.Attempts)
			}
		})
		t.Run("concurrent attempts are all counted", func(t *testing.T) {
			const n, max = 12, 5
			inv := newInvitation(t, st, parley.Outbound)
			var wg sync.WaitGroup
			burnt := make(chan int, n)
			for range n {
				wg.Go(func() {
					got, err := st.CountAttempt(ctx, inv.ID, parley.Outbound, max, now)
					if err != nil {
						t.Errorf("CountAttempt: %v", err)
						return
					}
					if got.Status == parley.InviteBurnt {
						burnt <- got.Attempts
					}
				})
			}
			wg.Wait()
			close(burnt)
			got := invitation(t, st, inv.ID, parley.Outbound)
			if got.Attempts != max || got.Status != parley.InviteBurnt {
				t.Errorf("after %d concurrent attempts with max %d: %d attempts, status %s; want %d, burnt", n, max, got.Attempts, got.Status, max)
			}
			// Every caller after the burn sees it burnt; none sees a count past max.
			count := 0
			for a := range burnt {
				count++
				if a != max {
					t.Errorf("a caller saw the invitation burnt with %d attempts, want %d", a, max)
				}
			}
			if count != n-max+1 {
				t.Errorf("%d callers saw the invitation burnt, want %d (the one that burnt it and every later one)", count, n-max+1)
			}
		})
	})
}

func TestEndInvitation(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		now := contactT0.Add(2 * time.Hour)
		for _, dir := range []parley.Direction{parley.Outbound, parley.Inbound} {
			for _, status := range []string{parley.InviteDeclined, parley.InviteBurnt, parley.InviteExpired} {
				t.Run(fmt.Sprintf("%s/pending to %s", dir, status), func(t *testing.T) {
					inv := newInvitation(t, st, dir)
					if _, err := st.CountAttempt(ctx, inv.ID, dir, 3, now); err != nil {
						t.Fatal(err)
					}
					if err := st.EndInvitation(ctx, inv.ID, dir, status, now); err != nil {
						t.Fatalf("EndInvitation: %v", err)
					}
					got := invitation(t, st, inv.ID, dir)
					checkEnded(t, got, status, now)
					// The minimal record stays.
					if got.PeerURL != inv.PeerURL || got.Purpose != inv.Purpose || got.Attempts != 1 || !got.CreatedAt.Equal(inv.CreatedAt) || !got.ExpiresAt.Equal(inv.ExpiresAt) {
						t.Errorf("the record kept %+v; want URL, purpose, 1 attempt and times kept", got)
					}
				})
			}
		}
		for _, status := range endedStatuses {
			t.Run("from "+status, func(t *testing.T) {
				inv := newInvitation(t, st, parley.Outbound)
				endIn(t, st, inv, status, now)
				before := invitation(t, st, inv.ID, parley.Outbound)
				for _, to := range []string{parley.InviteDeclined, parley.InviteExpired} {
					if err := st.EndInvitation(ctx, inv.ID, parley.Outbound, to, now.Add(time.Hour)); !errors.Is(err, parley.ErrInviteUnusable) {
						t.Errorf("EndInvitation(%s → %s) = %v, want ErrInviteUnusable", status, to, err)
					}
				}
				checkUnchanged(t, invitation(t, st, inv.ID, parley.Outbound), before)
			})
		}
		t.Run("unknown", func(t *testing.T) {
			inv := newInvitation(t, st, parley.Inbound)
			if err := st.EndInvitation(ctx, envelope.NewID(), parley.Inbound, parley.InviteDeclined, now); !errors.Is(err, parley.ErrInviteUnusable) {
				t.Errorf("EndInvitation(unknown id) = %v, want ErrInviteUnusable", err)
			}
			if err := st.EndInvitation(ctx, inv.ID, parley.Outbound, parley.InviteDeclined, now); !errors.Is(err, parley.ErrInviteUnusable) {
				t.Errorf("EndInvitation(other direction) = %v, want ErrInviteUnusable", err)
			}
			if got := invitation(t, st, inv.ID, parley.Inbound); got.Status != parley.InvitePending || got.Identity == nil {
				t.Errorf("the inbound invitation is %s (identity %d bytes), want it pending and intact", got.Status, len(got.Identity))
			}
		})
		t.Run("not a status", func(t *testing.T) {
			inv := newInvitation(t, st, parley.Outbound)
			if err := st.EndInvitation(ctx, inv.ID, parley.Outbound, "forgotten", now); err == nil {
				t.Errorf("EndInvitation(status %q) = nil, want an error", "forgotten")
			}
			checkUnchanged(t, invitation(t, st, inv.ID, parley.Outbound), inv)
		})
	})
}

func TestCompleteInvitation(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		now := contactT0.Add(3 * time.Hour)
		answer := []byte("yes, signed")
		for _, dir := range []parley.Direction{parley.Outbound, parley.Inbound} {
			t.Run(string(dir)+"/pins and wipes", func(t *testing.T) {
				inv := newInvitation(t, st, dir)
				p := invitee(t, "accepted-"+string(dir), "hotline")
				if err := st.CompleteInvitation(ctx, inv.ID, dir, p, answer, now); err != nil {
					t.Fatalf("CompleteInvitation: %v", err)
				}
				got := invitation(t, st, inv.ID, dir)
				checkEnded(t, got, parley.InviteAccepted, now)
				if got.Peer != p.Fingerprint() || !bytes.Equal(got.Answer, answer) {
					t.Errorf("accepted invitation names peer %s with answer %q, want %s and %q", got.Peer, got.Answer, p.Fingerprint(), answer)
				}
				pinned, err := st.PeerByName(ctx, p.Name)
				if err != nil {
					t.Fatalf("PeerByName: %v", err)
				}
				if pinned.Fingerprint() != p.Fingerprint() || pinned.URL != p.URL || pinned.Purpose != p.Purpose || pinned.Channel != p.Channel || !pinned.AddedAt.Equal(p.AddedAt) {
					t.Errorf("pinned %+v, want %+v", pinned, p)
				}
				if _, err := st.PeerByFingerprint(ctx, p.Fingerprint()); err != nil {
					t.Errorf("PeerByFingerprint: %v", err)
				}
				// Single use.
				q := invitee(t, "second-"+string(dir), "liaison")
				if err := st.CompleteInvitation(ctx, inv.ID, dir, q, answer, now); !errors.Is(err, parley.ErrInviteUnusable) {
					t.Errorf("CompleteInvitation twice = %v, want ErrInviteUnusable", err)
				}
				if _, err := st.PeerByName(ctx, q.Name); !errors.Is(err, parley.ErrNotFound) {
					t.Errorf("the second CompleteInvitation pinned %q (err %v)", q.Name, err)
				}
			})
		}
		// A clash with a pinned peer refuses the whole transaction: the
		// invitation stays pending with its secret, ready for the operator
		// to resolve the clash.
		clashes := []struct {
			name   string
			pinned func(p parley.Peer) parley.Peer // what is already pinned
		}{
			{"same name", func(p parley.Peer) parley.Peer {
				q := invitee(t, "squatter", "liaison")
				q.Name = p.Name
				return q
			}},
			{"same identity", func(p parley.Peer) parley.Peer {
				p.Name = "known-under-another-name"
				return p
			}},
		}
		for _, c := range clashes {
			t.Run("clash/"+c.name, func(t *testing.T) {
				inv := newInvitation(t, st, parley.Outbound)
				p := invitee(t, "clash-"+inv.ID.String()[:8], "liaison")
				old := c.pinned(p)
				if err := st.AddPeer(ctx, old); err != nil {
					t.Fatal(err)
				}
				if err := st.CompleteInvitation(ctx, inv.ID, parley.Outbound, p, answer, now); !errors.Is(err, parley.ErrExists) {
					t.Fatalf("CompleteInvitation = %v, want ErrExists", err)
				}
				checkUnchanged(t, invitation(t, st, inv.ID, parley.Outbound), inv)
				got, err := st.PeerByFingerprint(ctx, old.Fingerprint())
				if err != nil || got.Name != old.Name {
					t.Errorf("the peer pinned before is now %+v (%v), want %q unchanged", got, err, old.Name)
				}
				if c.name == "same name" {
					if _, err := st.PeerByFingerprint(ctx, p.Fingerprint()); !errors.Is(err, parley.ErrNotFound) {
						t.Errorf("the refused peer was pinned anyway (err %v)", err)
					}
				}
			})
		}
		for _, status := range []string{parley.InviteDeclined, parley.InviteBurnt, parley.InviteExpired} {
			t.Run("from "+status, func(t *testing.T) {
				inv := newInvitation(t, st, parley.Inbound)
				endIn(t, st, inv, status, now)
				before := invitation(t, st, inv.ID, parley.Inbound)
				p := invitee(t, "late-"+status, "liaison")
				if err := st.CompleteInvitation(ctx, inv.ID, parley.Inbound, p, answer, now); !errors.Is(err, parley.ErrInviteUnusable) {
					t.Errorf("CompleteInvitation = %v, want ErrInviteUnusable", err)
				}
				checkUnchanged(t, invitation(t, st, inv.ID, parley.Inbound), before)
				if _, err := st.PeerByName(ctx, p.Name); !errors.Is(err, parley.ErrNotFound) {
					t.Errorf("a %s invitation pinned a peer (err %v)", status, err)
				}
			})
		}
		t.Run("unknown", func(t *testing.T) {
			p := invitee(t, "nobody", "liaison")
			if err := st.CompleteInvitation(ctx, envelope.NewID(), parley.Outbound, p, answer, now); !errors.Is(err, parley.ErrInviteUnusable) {
				t.Errorf("CompleteInvitation(unknown id) = %v, want ErrInviteUnusable", err)
			}
			if _, err := st.PeerByName(ctx, p.Name); !errors.Is(err, parley.ErrNotFound) {
				t.Errorf("an unknown invitation pinned a peer (err %v)", err)
			}
		})
	})
}

func TestDeleteInvitation(t *testing.T) {
	forEach(t, func(t *testing.T, st parley.Store) {
		ctx := t.Context()
		now := contactT0.Add(time.Hour)
		t.Run("pending", func(t *testing.T) {
			inv := newInvitation(t, st, parley.Outbound)
			// The same id received from elsewhere is another row.
			in := inv
			in.Direction, in.Secret, in.Identity = parley.Inbound, nil, []byte("{}")
			if err := st.CreateInvitation(ctx, in); err != nil {
				t.Fatal(err)
			}
			if err := st.DeleteInvitation(ctx, inv.ID, parley.Outbound); err != nil {
				t.Fatalf("DeleteInvitation: %v", err)
			}
			if _, err := st.Invitation(ctx, inv.ID, parley.Outbound); !errors.Is(err, parley.ErrNotFound) {
				t.Errorf("Invitation after DeleteInvitation = %v, want ErrNotFound", err)
			}
			if got := invitation(t, st, inv.ID, parley.Inbound); got.Status != parley.InvitePending {
				t.Errorf("the inbound invitation with the same id is %s, want pending", got.Status)
			}
			if err := st.DeleteInvitation(ctx, inv.ID, parley.Outbound); err != nil {
				t.Errorf("DeleteInvitation twice = %v, want nil", err)
			}
		})
		// The record of an invitation that reached its peer is never deleted.
		for _, status := range endedStatuses {
			t.Run(status, func(t *testing.T) {
				inv := newInvitation(t, st, parley.Outbound)
				endIn(t, st, inv, status, now)
				before := invitation(t, st, inv.ID, parley.Outbound)
				if err := st.DeleteInvitation(ctx, inv.ID, parley.Outbound); err != nil {
					t.Errorf("DeleteInvitation = %v, want nil", err)
				}
				checkUnchanged(t, invitation(t, st, inv.ID, parley.Outbound), before)
			})
		}
		t.Run("unknown", func(t *testing.T) {
			if err := st.DeleteInvitation(ctx, envelope.NewID(), parley.Inbound); err != nil {
				t.Errorf("DeleteInvitation(unknown id) = %v, want nil", err)
			}
		})
	})
}
