package opendoorcrypto

import (
	"bytes"
	"crypto/hpke"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// ItemID identifies an item (a submission or a reply): 16 random bytes.
type ItemID [16]byte

// NewItemID returns a random item id.
func NewItemID() ItemID {
	var id ItemID
	rand.Read(id[:])
	return id
}

// String returns the lower-case hex encoding.
func (id ItemID) String() string { return hex.EncodeToString(id[:]) }

// ParseItemID decodes 32 hex digits.
func ParseItemID(s string) (ItemID, error) {
	var id ItemID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, errors.New("opendoorcrypto: an item id is 32 hex digits")
	}
	copy(id[:], b)
	return id, nil
}

// Kind is what an item is.
type Kind string

// Kinds of item.
const (
	KindSubmission Kind = "submission" // from a visitor, sealed to the organisation
	KindReply      Kind = "reply"      // from the organisation, sealed to the visitor (and the organisation)
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindSubmission || k == KindReply }

// Sizes of the item format.
const (
	DataKeySize     = chacha20poly1305.KeySize
	encSize         = 1120 // an MLKEM768-X25519 encapsulated key
	WrappedKeySize  = KeyIDSize + encSize + DataKeySize + chacha20poly1305.Overhead
	bodyOverhead    = chacha20poly1305.Overhead
	labelItemBody   = "parley opendoor item v1"
	labelItemKeyKDF = "parley opendoor data key v1"
)

// Errors of OpenItem.
var (
	// ErrWrongKey: the wrapped data key was sealed to another key.
	ErrWrongKey = errors.New("opendoorcrypto: the item was sealed to another key")
	// ErrDecrypt: the wrapped key or the body does not open (damaged, or not
	// this item's).
	ErrDecrypt = errors.New("opendoorcrypto: the item does not decrypt")
)

// itemAAD binds a body and its wrapped keys to the item's id and kind.
func itemAAD(label string, id ItemID, kind Kind) []byte {
	b := make([]byte, 0, len(label)+1+len(id)+len(kind))
	b = append(b, label...)
	b = append(b, 0)
	b = append(b, id[:]...)
	return append(b, kind...)
}

// SealItem encrypts plaintext as item id of kind: a fresh random data key
// encrypts the body, and the data key is wrapped to each recipient. It
// returns the body and one wrapped key per recipient, in order:
//
//	body    = ChaCha20-Poly1305(dataKey, nonce 0¹², plaintext, aad)
//	wrapped = KeyID(recipient) || HPKE-Seal(recipient, info "parley opendoor data key v1", aad, dataKey)
//	aad     = label || 0x00 || id || kind   (label "parley opendoor item v1")
//
// The data key encrypts exactly one body, so the fixed nonce is safe; it is
// wiped before SealItem returns.
func SealItem(id ItemID, kind Kind, plaintext []byte, recipients ...*PublicKey) (body []byte, wrapped [][]byte, err error) {
	if !kind.Valid() || len(recipients) == 0 {
		return nil, nil, fmt.Errorf("opendoorcrypto: SealItem needs a kind and a recipient")
	}
	dataKey := make([]byte, DataKeySize)
	rand.Read(dataKey)
	defer clear(dataKey)
	body, err = sealBody(dataKey, id, kind, plaintext)
	if err != nil {
		return nil, nil, err
	}
	aad := itemAAD(labelItemBody, id, kind)
	for _, r := range recipients {
		enc, s, err := hpke.NewSender(r.k, suiteKDF, suiteAEAD, []byte(labelItemKeyKDF))
		if err != nil {
			return nil, nil, fmt.Errorf("opendoorcrypto: seal: %w", err)
		}
		ct, err := s.Seal(aad, dataKey)
		if err != nil {
			return nil, nil, fmt.Errorf("opendoorcrypto: seal: %w", err)
		}
		w := make([]byte, 0, WrappedKeySize)
		w = append(w, r.id[:]...)
		w = append(w, enc...)
		wrapped = append(wrapped, append(w, ct...))
	}
	return body, wrapped, nil
}

func sealBody(dataKey []byte, id ItemID, kind Kind, plaintext []byte) ([]byte, error) {
	a, err := chacha20poly1305.New(dataKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, chacha20poly1305.NonceSize)
	return a.Seal(nil, nonce, plaintext, itemAAD(labelItemBody, id, kind)), nil
}

// OpenItem decrypts the body of item id of kind with the wrapped data key
// sealed to k. Without the wrapped key (deleted), nothing opens the body.
func OpenItem(id ItemID, kind Kind, body, wrapped []byte, k *PrivateKey) ([]byte, error) {
	if len(wrapped) != WrappedKeySize {
		return nil, ErrDecrypt
	}
	if !bytes.Equal(wrapped[:KeyIDSize], k.pub.id[:]) {
		return nil, ErrWrongKey
	}
	aad := itemAAD(labelItemBody, id, kind)
	r, err := hpke.NewRecipient(wrapped[KeyIDSize:KeyIDSize+encSize], k.k, suiteKDF, suiteAEAD, []byte(labelItemKeyKDF))
	if err != nil {
		return nil, ErrDecrypt
	}
	dataKey, err := r.Open(aad, wrapped[KeyIDSize+encSize:])
	if err != nil {
		return nil, ErrDecrypt
	}
	defer clear(dataKey)
	a, err := chacha20poly1305.New(dataKey)
	if err != nil {
		return nil, ErrDecrypt
	}
	pt, err := a.Open(nil, make([]byte, chacha20poly1305.NonceSize), body, aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// WrappedKeyID returns the id of the key a wrapped data key was sealed to.
func WrappedKeyID(wrapped []byte) (KeyID, bool) {
	var id KeyID
	if len(wrapped) != WrappedKeySize {
		return id, false
	}
	copy(id[:], wrapped)
	return id, true
}
