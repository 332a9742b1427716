package contact

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gtank/ristretto255"
)

// hexBytes is an octet string written as hex in the vector file.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

type vectorFile struct {
	Source struct {
		Revision    string `json:"revision"`
		Ciphersuite string `json:"ciphersuite"`
		Sections    string `json:"sections"`
	} `json:"source"`
	PrependLen []struct {
		Section    string   `json:"section"`
		Input      hexBytes `json:"input"`
		InputRange *int     `json:"input_range"`
		Output     hexBytes `json:"output"`
	} `json:"prepend_len"`
	LVCat []struct {
		Inputs []hexBytes `json:"inputs"`
		Output hexBytes   `json:"output"`
	} `json:"lv_cat"`
	Larger []struct {
		A, B   hexBytes
		Larger bool `json:"larger"`
	} `json:"lexiographically_larger"`
	OCat []struct {
		A, B   hexBytes
		Output hexBytes `json:"output"`
	} `json:"o_cat"`
	Transcripts []struct {
		Ya, ADa, Yb, ADb hexBytes
		IR               hexBytes `json:"transcript_ir"`
		OC               hexBytes `json:"transcript_oc"`
	} `json:"transcripts"`
	Protocol struct {
		SInBytes        int      `json:"s_in_bytes"`
		DSI             hexBytes `json:"DSI"`
		PRS             hexBytes `json:"PRS"`
		ZPADLength      int      `json:"ZPAD_length"`
		CI              hexBytes `json:"CI"`
		Sid             hexBytes `json:"sid"`
		GeneratorString hexBytes `json:"generator_string"`
		HashResult      hexBytes `json:"hash_result"`
		G               hexBytes `json:"g"`
		ADa             hexBytes `json:"ADa"`
		Ya              hexBytes `json:"ya"`
		YaPub           hexBytes `json:"Ya"`
		ADb             hexBytes `json:"ADb"`
		Yb              hexBytes `json:"yb"`
		YbPub           hexBytes `json:"Yb"`
		K               hexBytes `json:"K"`
		DSIISK          hexBytes `json:"DSI_ISK"`
		TranscriptIR    hexBytes `json:"transcript_ir"`
		ISKInputIR      hexBytes `json:"isk_input_ir"`
		ISKIR           hexBytes `json:"ISK_IR"`
		TranscriptOC    hexBytes `json:"transcript_oc"`
		ISKInputOC      hexBytes `json:"isk_input_oc"`
		ISKSY           hexBytes `json:"ISK_SY"`
		SidOutputIR     hexBytes `json:"sid_output_ir"`
		SidOutputOC     hexBytes `json:"sid_output_oc"`
	} `json:"protocol"`
	ScalarMultValid struct {
		S             hexBytes `json:"s"`
		X             hexBytes `json:"X"`
		ScalarMult    hexBytes `json:"scalar_mult"`
		ScalarMultVfy hexBytes `json:"scalar_mult_vfy"`
	} `json:"scalar_mult_valid"`
	Invalid struct {
		S   hexBytes `json:"s"`
		Yi1 hexBytes `json:"Y_i1"`
		Yi2 hexBytes `json:"Y_i2"`
		GI  hexBytes `json:"G_I"`
	} `json:"scalar_mult_vfy_invalid"`
	DraftJSON map[string][]string `json:"draft_json_base64"`
}

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/cpace_ristretto255_sha512.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding vectors: %v", err)
	}
	if !strings.Contains(v.Source.Revision, "draft-irtf-cfrg-cpace-21") || v.Source.Ciphersuite != "CPACE-RISTR255-SHA512" {
		t.Fatalf("vector file is for %q / %q", v.Source.Revision, v.Source.Ciphersuite)
	}
	return &v
}

func checkBytes(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if len(want) == 0 && len(got) != 0 {
		t.Errorf("%s: vector is empty", name)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %x\nwant %x", name, got, want)
	}
}

func TestVectorsStringUtilities(t *testing.T) {
	v := loadVectors(t)
	t.Run("prepend_len", func(t *testing.T) {
		if len(v.PrependLen) != 4 {
			t.Fatalf("got %d prepend_len vectors, want 4", len(v.PrependLen))
		}
		for _, c := range v.PrependLen {
			in := []byte(c.Input)
			if c.InputRange != nil {
				in = make([]byte, *c.InputRange)
				for i := range in {
					in[i] = byte(i)
				}
			}
			checkBytes(t, "prepend_len", prependLen(in), c.Output)
			// The strict reader must give the input back.
			got, rest, err := readLV(c.Output, 1<<20)
			if err != nil || len(rest) != 0 || !bytes.Equal(got, in) {
				t.Errorf("readLV(%x) = %x, %x, %v", c.Output, got, rest, err)
			}
		}
	})
	t.Run("lv_cat", func(t *testing.T) {
		for _, c := range v.LVCat {
			in := make([][]byte, len(c.Inputs))
			for i := range c.Inputs {
				in[i] = c.Inputs[i]
			}
			checkBytes(t, "lv_cat", lvCat(in...), c.Output)
		}
	})
	t.Run("lexiographically_larger", func(t *testing.T) {
		if len(v.Larger) != 6 {
			t.Fatalf("got %d vectors, want 6", len(v.Larger))
		}
		for _, c := range v.Larger {
			if got := lexicographicallyLarger(c.A, c.B); got != c.Larger {
				t.Errorf("lexiographically_larger(%x, %x) = %v, want %v", []byte(c.A), []byte(c.B), got, c.Larger)
			}
		}
	})
	t.Run("o_cat", func(t *testing.T) {
		for _, c := range v.OCat {
			checkBytes(t, "o_cat", oCat(c.A, c.B), c.Output)
		}
	})
	t.Run("transcripts", func(t *testing.T) {
		for _, c := range v.Transcripts {
			a, b := lvCat(c.Ya, c.ADa), lvCat(c.Yb, c.ADb)
			checkBytes(t, "transcript_ir", transcriptIR(a, b), c.IR)
			checkBytes(t, "transcript_oc", oCat(a, b), c.OC)
			checkBytes(t, "transcript_oc swapped", oCat(b, a), c.OC)
		}
	})
}

// TestVectorsRistretto255 reproduces every intermediate value of Appendix
// B.3 of the draft.
func TestVectorsRistretto255(t *testing.T) {
	v := loadVectors(t)
	p := v.Protocol

	t.Run("B.3.1 calculate_generator", func(t *testing.T) {
		checkBytes(t, "DSI", []byte(dsi), p.DSI)
		if p.SInBytes != hashBlockSize {
			t.Errorf("s_in_bytes = %d, want %d", p.SInBytes, hashBlockSize)
		}
		gs := generatorString(p.PRS, p.CI, p.Sid)
		checkBytes(t, "generator_string", gs, p.GeneratorString)
		// The ZPAD field sits after lv(DSI) and lv(PRS).
		off := prependLenSize(len(dsi)) + len(dsi) + prependLenSize(len(p.PRS)) + len(p.PRS)
		if int(gs[off]) != p.ZPADLength {
			t.Errorf("ZPAD length = %d, want %d", gs[off], p.ZPADLength)
		}
		h := sha512.Sum512(gs)
		checkBytes(t, "hash result", h[:], p.HashResult)
		checkBytes(t, "encoded generator g", calculateGenerator(p.PRS, p.CI, p.Sid).Bytes(), p.G)
	})

	t.Run("B.3.2-B.3.5 initiator/responder", func(t *testing.T) {
		a, msgA, err := startWithScalar(RoleInitiator, p.PRS, p.CI, p.Sid, p.ADa, p.Ya)
		if err != nil {
			t.Fatal(err)
		}
		b, msgB, err := startWithScalar(RoleResponder, p.PRS, p.CI, p.Sid, p.ADb, p.Yb)
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, "Ya", msgA[1:1+ElementSize], p.YaPub)
		checkBytes(t, "Yb", msgB[1:1+ElementSize], p.YbPub)
		checkBytes(t, "message from A", msgA, lvCat(p.YaPub, p.ADa))
		checkBytes(t, "message from B", msgB, lvCat(p.YbPub, p.ADb))

		ya, _ := ristretto255.NewScalar().SetCanonicalBytes(p.Ya)
		yb, _ := ristretto255.NewScalar().SetCanonicalBytes(p.Yb)
		kA, err := scalarMultVfy(ya, p.YbPub)
		if err != nil {
			t.Fatal(err)
		}
		kB, err := scalarMultVfy(yb, p.YaPub)
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, "scalar_mult_vfy(ya,Yb)", kA, p.K)
		checkBytes(t, "scalar_mult_vfy(yb,Ya)", kB, p.K)

		tr := transcriptIR(lvCat(p.YaPub, p.ADa), lvCat(p.YbPub, p.ADb))
		checkBytes(t, "transcript_ir", tr, p.TranscriptIR)
		checkBytes(t, "DSI_ISK", []byte(dsi+"_ISK"), p.DSIISK)
		input := append(lvCat(p.DSIISK, p.Sid, p.K), tr...)
		checkBytes(t, "lv_cat(DSI,sid,K)||transcript_ir", input, p.ISKInputIR)
		h := sha512.Sum512(p.ISKInputIR)
		checkBytes(t, "SHA-512 of ISK input", h[:], p.ISKIR)
		checkBytes(t, "deriveISK", deriveISK(p.Sid, p.K, p.TranscriptIR), p.ISKIR)

		iskA, err := a.Finish(msgB)
		if err != nil {
			t.Fatal(err)
		}
		iskB, err := b.Finish(msgA)
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, "ISK (A)", iskA, p.ISKIR)
		checkBytes(t, "ISK (B)", iskB, p.ISKIR)
		checkBytes(t, "sid_output_ir (A)", a.SidOutput(), p.SidOutputIR)
		checkBytes(t, "sid_output_ir (B)", b.SidOutput(), p.SidOutputIR)
		checkBytes(t, "PeerAD (A)", a.PeerAD(), p.ADb)
		checkBytes(t, "PeerAD (B)", b.PeerAD(), p.ADa)
	})

	t.Run("B.3.6 parallel execution", func(t *testing.T) {
		tr := oCat(lvCat(p.YaPub, p.ADa), lvCat(p.YbPub, p.ADb))
		checkBytes(t, "transcript_oc", tr, p.TranscriptOC)
		input := append(lvCat(p.DSIISK, p.Sid, p.K), tr...)
		checkBytes(t, "lv_cat(DSI,sid,K)||transcript_oc", input, p.ISKInputOC)
		h := sha512.Sum512(p.ISKInputOC)
		checkBytes(t, "SHA-512 of ISK input", h[:], p.ISKSY)

		a, msgA, err := startWithScalar(RoleSymmetric, p.PRS, p.CI, p.Sid, p.ADa, p.Ya)
		if err != nil {
			t.Fatal(err)
		}
		b, msgB, err := startWithScalar(RoleSymmetric, p.PRS, p.CI, p.Sid, p.ADb, p.Yb)
		if err != nil {
			t.Fatal(err)
		}
		iskA, errA := a.Finish(msgB)
		iskB, errB := b.Finish(msgA)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		checkBytes(t, "ISK_SY (A)", iskA, p.ISKSY)
		checkBytes(t, "ISK_SY (B)", iskB, p.ISKSY)
		checkBytes(t, "sid_output_oc (A)", a.SidOutput(), p.SidOutputOC)
		checkBytes(t, "sid_output_oc (B)", b.SidOutput(), p.SidOutputOC)
	})

	t.Run("B.3.7 sid output", func(t *testing.T) {
		checkBytes(t, "sid_output_ir", sidOutput(p.TranscriptIR), p.SidOutputIR)
		checkBytes(t, "sid_output_oc", sidOutput(p.TranscriptOC), p.SidOutputOC)
	})

	t.Run("B.3.10 scalar_mult valid", func(t *testing.T) {
		c := v.ScalarMultValid
		s, err := ristretto255.NewScalar().SetCanonicalBytes(c.S)
		if err != nil {
			t.Fatal(err)
		}
		X, err := ristretto255.NewIdentityElement().SetCanonicalBytes(c.X)
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, "G.scalar_mult(s,decode(X))", scalarMult(s, X), c.ScalarMult)
		got, err := scalarMultVfy(s, c.X)
		if err != nil {
			t.Fatal(err)
		}
		checkBytes(t, "G.scalar_mult_vfy(s,X)", got, c.ScalarMultVfy)
	})

	t.Run("B.3.11 scalar_mult_vfy invalid", func(t *testing.T) {
		c := v.Invalid
		checkBytes(t, "G.I", ristretto255.NewIdentityElement().Bytes(), c.GI)
		s, err := ristretto255.NewScalar().SetCanonicalBytes(c.S)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			Y    []byte
			want error
		}{
			{"Y_i1 (not an encoding)", c.Yi1, ErrInvalidPoint},
			{"Y_i2 (G.I)", c.Yi2, ErrIdentity},
		} {
			if _, err := scalarMultVfy(s, tc.Y); !errors.Is(err, tc.want) {
				t.Errorf("%s: scalar_mult_vfy error = %v, want %v", tc.name, err, tc.want)
			}
			// And the protocol aborts when the point arrives in a message,
			// for either party.
			for _, role := range []Role{RoleInitiator, RoleResponder, RoleSymmetric} {
				st, _, err := startWithScalar(role, p.PRS, p.CI, p.Sid, nil, c.S)
				if err != nil {
					t.Fatal(err)
				}
				isk, err := st.Finish(lvCat(tc.Y, p.ADb))
				if !errors.Is(err, tc.want) || isk != nil {
					t.Errorf("%s, %v: Finish = %x, %v; want abort with %v", tc.name, role, isk, err, tc.want)
				}
			}
		}
	})
}

// TestVectorsDraftJSON checks the hex fields above against the draft's own
// base64-encoded JSON blocks, so a slip in copying either shows up.
func TestVectorsDraftJSON(t *testing.T) {
	v := loadVectors(t)
	p := v.Protocol
	decode := func(section string) map[string]any {
		t.Helper()
		lines, ok := v.DraftJSON[section]
		if !ok {
			t.Fatalf("no base64 block for %s", section)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.Join(lines, ""))
		if err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", section, err)
		}
		return m
	}
	field := func(m map[string]any, key string) []byte {
		t.Helper()
		s, ok := m[key].(string)
		if !ok {
			t.Fatalf("field %q missing", key)
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("field %q: %v", key, err)
		}
		return b
	}

	gen := decode("B.3.1.1")
	for key, want := range map[string][]byte{
		"PRS": p.PRS, "DSI": p.DSI, "CI": p.CI, "sid": p.Sid,
		"generator_string(G.DSI,PRS,CI,sid,H.s_in_bytes)": p.GeneratorString,
		"hash result":         p.HashResult,
		"encoded generator g": p.G,
	} {
		checkBytes(t, "B.3.1.1 "+key, field(gen, key), want)
	}
	if gen["ZPAD length"] != float64(p.ZPADLength) || gen["H.s_in_bytes"] != float64(p.SInBytes) {
		t.Errorf("B.3.1.1 ZPAD length / s_in_bytes = %v / %v", gen["ZPAD length"], gen["H.s_in_bytes"])
	}

	run := decode("B.3.9")
	for key, want := range map[string][]byte{
		"PRS": p.PRS, "CI": p.CI, "sid": p.Sid, "g": p.G,
		"ya": p.Ya, "ADa": p.ADa, "Ya": p.YaPub,
		"yb": p.Yb, "ADb": p.ADb, "Yb": p.YbPub,
		"K": p.K, "ISK_IR": p.ISKIR, "ISK_SY": p.ISKSY,
		"sid_output_ir": p.SidOutputIR, "sid_output_oc": p.SidOutputOC,
	} {
		checkBytes(t, "B.3.9 "+key, field(run, key), want)
	}

	inv := decode("B.3.11.1")
	valid, ok := inv["Valid"].(map[string]any)
	if !ok {
		t.Fatal("B.3.11.1: no Valid object")
	}
	c := v.ScalarMultValid
	checkBytes(t, "B.3.11.1 s", field(valid, "s"), c.S)
	checkBytes(t, "B.3.11.1 X", field(valid, "X"), c.X)
	checkBytes(t, "B.3.11.1 scalar_mult", field(valid, "G.scalar_mult(s,decode(X))"), c.ScalarMult)
	checkBytes(t, "B.3.11.1 scalar_mult_vfy", field(valid, "G.scalar_mult_vfy(s,X)"), c.ScalarMultVfy)
	checkBytes(t, "B.3.11.1 Invalid Y1", field(inv, "Invalid Y1"), v.Invalid.Yi1)
	checkBytes(t, "B.3.11.1 Invalid Y2", field(inv, "Invalid Y2"), v.Invalid.Yi2)
}
