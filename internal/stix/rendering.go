package stix

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// view is what Render reads of an object.
type view struct {
	Name             string                     `json:"name"`
	Description      string                     `json:"description"`
	Aliases          []string                   `json:"aliases"`
	Roles            []string                   `json:"roles"`
	ThreatActorTypes []string                   `json:"threat_actor_types"`
	Pattern          string                     `json:"pattern"`
	PatternType      string                     `json:"pattern_type"`
	ValidFrom        string                     `json:"valid_from"`
	ValidUntil       string                     `json:"valid_until"`
	RelationshipType string                     `json:"relationship_type"`
	SourceRef        string                     `json:"source_ref"`
	TargetRef        string                     `json:"target_ref"`
	Published        string                     `json:"published"`
	ObjectRefs       []string                   `json:"object_refs"`
	Abstract         string                     `json:"abstract"`
	Content          string                     `json:"content"`
	Opinion          string                     `json:"opinion"`
	Explanation      string                     `json:"explanation"`
	Value            string                     `json:"value"`
	Extensions       map[string]json.RawMessage `json:"extensions"`
}

var reliability = map[string]string{"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
	"D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}

var credibility = map[string]string{"1": "confirmed by other sources", "2": "probably true", "3": "possibly true",
	"4": "doubtful", "5": "improbable", "6": "truth cannot be judged"}

// Render writes a human-readable account of a bundle: a heading with the
// highest TLP, then one paragraph per object (persons, financing channels,
// sources, indicators, relationships, reports, notes, opinions and any
// other record), each with its TLP. The marking and extension definitions
// are summarised in the heading. Names and text in any script are shown as
// given, except that control characters are shown as escapes (\u001b) so
// that a record cannot drive the reader's terminal. Render fails only if w
// does.
func Render(w io.Writer, b *Bundle) error {
	r := &renderer{w: w, names: map[string]string{}}
	views := make([]view, len(b.Objects))
	defs := 0
	for i, o := range b.Objects {
		_ = json.Unmarshal(o.Raw, &views[i]) // Raw was validated by Parse
		if views[i].Name != "" {
			r.names[o.ID] = views[i].Name
		}
		if k := o.RecordKind(); k == "marking" || k == "extension" {
			defs++
		}
	}
	r.printf("Bundle %s: %d records", b.ID, len(b.Objects)-defs)
	if defs > 0 {
		r.printf(" (and %d marking and extension definitions)", defs)
	}
	r.printf(", at most %s.\n", b.MaxTLP().Label())
	persons := map[string]Person{}
	for _, p := range b.Persons() {
		persons[p.ObjectID] = p
	}
	for i, o := range b.Objects {
		v := &views[i]
		kind := o.RecordKind()
		if kind == "marking" || kind == "extension" {
			continue
		}
		r.printf("\n")
		tlp := o.TLP().Label()
		if o.TLP() == TLPNone {
			tlp = "no TLP"
		}
		switch {
		case kind == "person" && o.Type == "identity":
			p := persons[o.ID]
			r.printf("Person %s (%s), %s.", r.q(v.Name), o.ID, tlp)
			r.list(" Also known as", p.Aliases)
			if p.DOB != "" {
				r.printf(" Born %s.", p.DOB)
			}
			r.list(" Nationality", p.Nationalities)
			var docs []string
			for _, d := range p.Documents {
				s := d.Type + " " + d.Number
				if d.Country != "" {
					s += " (" + d.Country + ")"
				}
				docs = append(docs, s)
			}
			r.list(" Documents", docs)
		case kind == "person":
			r.printf("Threat actor %s (%s), %s.", r.q(v.Name), o.ID, tlp)
			r.list(" Also known as", v.Aliases)
			r.list(" Types", v.ThreatActorTypes)
			r.list(" Roles", v.Roles)
		case kind == "financing":
			var f financingBody
			_ = json.Unmarshal(v.Extensions[FinancingExtension], &f)
			r.printf("Financing channel %s (%s)", r.q(v.Name), o.ID)
			if f.Kind != "" {
				r.printf(", %s", f.Kind)
			}
			r.printf(", %s.", tlp)
			for _, kv := range [][2]string{{"IBAN", f.IBAN}, {"BIC", f.BIC}, {"Bank", f.Bank}, {"Wallet", f.Wallet},
				{"Currency", f.Currency}, {"Country", f.Country}} {
				if kv[1] != "" {
					r.printf(" %s %s.", kv[0], r.clean(kv[1]))
				}
			}
		case kind == "source":
			var s struct{ Reliability, Credibility string }
			_ = json.Unmarshal(v.Extensions[SourceExtension], &s)
			r.printf("Source %s (%s), graded %s%s (%s; %s), %s.", r.q(v.Name), o.ID, s.Reliability, s.Credibility,
				reliability[s.Reliability], credibility[s.Credibility], tlp)
		case o.Type == "indicator":
			r.printf("Indicator %s(%s), %s. Pattern (%s): %s. Valid from %s", r.optq(v.Name), o.ID, tlp,
				r.clean(v.PatternType), r.clean(v.Pattern), v.ValidFrom)
			if v.ValidUntil != "" {
				r.printf(" until %s", v.ValidUntil)
			}
			r.printf(".")
		case o.Type == "relationship":
			r.printf("Relationship (%s), %s: %s %s %s.", o.ID, tlp, r.label(v.SourceRef), r.clean(v.RelationshipType), r.label(v.TargetRef))
		case o.Type == "report":
			r.printf("Report %s (%s), %s, published %s, about %d objects.", r.q(v.Name), o.ID, tlp, v.Published, len(v.ObjectRefs))
		case o.Type == "note":
			r.printf("Note (%s), %s, on %s:", o.ID, tlp, r.labels(v.ObjectRefs))
			if v.Abstract != "" {
				r.printf(" %s —", r.clean(v.Abstract))
			}
			r.printf(" %s", r.clean(v.Content))
		case o.Type == "opinion":
			r.printf("Opinion (%s), %s, on %s: %s.", o.ID, tlp, r.labels(v.ObjectRefs), r.clean(v.Opinion))
			if v.Explanation != "" {
				r.printf(" %s", r.clean(v.Explanation))
			}
		case kind == "observable":
			r.printf("Observable %s %s(%s), %s.", o.Type, r.optq(v.Value), o.ID, tlp)
		default:
			r.printf("%s %s(%s), %s.", strings.ToUpper(o.Type[:1])+o.Type[1:], r.optq(v.Name), o.ID, tlp)
		}
		if v.Description != "" {
			r.printf(" %s", r.clean(v.Description))
		}
		r.printf("\n")
	}
	return r.err
}

type renderer struct {
	w     io.Writer
	err   error
	names map[string]string
}

func (r *renderer) printf(format string, args ...any) {
	if r.err == nil {
		_, r.err = fmt.Fprintf(r.w, format, args...)
	}
}

func (r *renderer) list(label string, items []string) {
	if len(items) == 0 {
		return
	}
	clean := make([]string, len(items))
	for i, s := range items {
		clean[i] = r.clean(s)
	}
	r.printf("%s: %s.", label, strings.Join(clean, ", "))
}

func (r *renderer) q(s string) string { return "“" + r.clean(s) + "”" }

func (r *renderer) optq(s string) string {
	if s == "" {
		return ""
	}
	return r.q(s) + " "
}

func (r *renderer) label(id string) string {
	if n, ok := r.names[id]; ok {
		return r.q(n) + " (" + id + ")"
	}
	return id
}

func (r *renderer) labels(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = r.label(id)
	}
	return strings.Join(out, ", ")
}

// clean escapes control characters; everything else is shown as given.
func (r *renderer) clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if unicode.IsControl(c) {
			fmt.Fprintf(&b, `\u%04x`, c)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
