// Package match finds a person's name on a watchlist when the name is
// written another way: in another script (Нарышкин, Naryshkin; محمد,
// Mohammed), under another transliteration convention (Narychkine in the
// French press, Naryschkin in the German, Naryškin in ISO 9), in another
// order (Naryshkin Sergei), with the patronymic or a middle name left out,
// with initials (S. E. Naryshkin), with a typo or two, without its
// diacritics, with a title (Gen., Sheikh, господин). A date of birth and a
// nationality, when given, raise or lower the score.
//
// The method, the evaluation and the measured figures are in
// docs/matching.md. In short: a name is normalised (Normalise), split into
// tokens, and each distinct token is analysed once into keys: for Latin
// spellings a skeleton that collapses the systematic differences between
// conventions (zh/j/ž/sch, ts/tz/c, y/i/j, ou/u, -ine/-in…); for Cyrillic the
// skeletons of its spelling under every System (ISO 9, GOST 7.79 B,
// BGN/PCGN, ICAO 9303, Library of Congress, French, German, English,
// scholarly, Polish, Ukrainian national); for Arabic script a consonantal
// transcription; plus consonant keys, deletion variants for typos and a
// table of cognate given names (Mykola, Nikolai). An inverted index from
// keys to entries finds candidates without scanning the list; each
// candidate is scored by aligning its tokens with the query's.
//
// Guarantees:
//
//   - Every Hit has a Score in [0,1] and evidence that says, token by
//     token, why (Hit.Explain): "surname Нарышкин ≈ Narychkine via French
//     transliteration; given name Сергей ≈ Sergueï via French
//     transliteration; DOB matches".
//   - Matching is deterministic: the same list and query give the same
//     hits in the same order, whatever the order in which entries were added.
//   - Any input is accepted: empty names, names of punctuation, invalid
//     UTF-8, mixed scripts in one token and names of any length (only the
//     first MaxNameBytes bytes, MaxTokens tokens of MaxTokenRunes runes are
//     read). Invalid entries are refused whole, with an error that says why.
//   - Index.Match is safe for concurrent use, also while entries are added
//     or removed; each call sees a change entirely or not at all.
//   - The package is pure: no I/O beyond the io.Reader it is given, no
//     global state that changes, no dependency on the rest of Parley.
//
// It does not claim that two names are the same person; it ranks and
// explains, and the operating threshold (DefaultThreshold) is a trade-off
// measured on a development set.
package match
