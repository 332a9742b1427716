package stix

// This file holds the per-type property tables, transcribed from the STIX
// 2.1 specification (§4–§6) and checked against the OASIS JSON schemas in
// testdata/oasis/schemas. Open vocabularies ("-ov") are not enforced, as the
// specification only says their values SHOULD come from the vocabulary;
// closed enumerations ("-enum") are.

// class is the family an object type belongs to; it decides which common
// properties are required and which UUID versions its id may use.
type class uint8

const (
	classSDO class = iota
	classSRO
	classSCO
	classMarking   // marking-definition
	classExtension // extension-definition
	classLanguage  // language-content
)

// valueKind is the JSON shape a property must have.
type valueKind uint8

const (
	kindString    valueKind = iota
	kindStrings             // non-empty list of strings
	kindTime                // STIX timestamp
	kindRef                 // identifier
	kindRefs                // non-empty list of identifiers
	kindBool                //
	kindInt                 // integer in [min, max]
	kindNumber              // number in [min, max]
	kindKillChain           // non-empty list of kill-chain-phase objects
	kindDict                // non-empty object
	kindHashes              // hashes dictionary
	kindEnum                // string from a closed list (in types)
)

// prop describes one property of a type. For references, types lists the
// object types the identifier may name (deny inverts the list); for enums it
// lists the allowed values.
type prop struct {
	name     string
	kind     valueKind
	required bool
	types    []string
	deny     bool
	min, max int64
}

// order says that property after must not be earlier than property before
// (or, when strict, must be later).
type order struct {
	before, after string
	strict        bool
}

type typeRules struct {
	class  class
	props  []prop
	orders []order
}

func pStr(name string) prop               { return prop{name: name, kind: kindString} }
func pStrs(name string) prop              { return prop{name: name, kind: kindStrings} }
func pTime(name string) prop              { return prop{name: name, kind: kindTime} }
func pRef(name string, t ...string) prop  { return prop{name: name, kind: kindRef, types: t} }
func pRefs(name string, t ...string) prop { return prop{name: name, kind: kindRefs, types: t} }
func required(p prop) prop                { p.required = true; return p }
func denied(p prop) prop                  { p.deny = true; return p }
func pInt(name string, min, max int64) prop {
	return prop{name: name, kind: kindInt, min: min, max: max}
}

var pKillChain = prop{name: "kill_chain_phases", kind: kindKillChain}

var seenOrder = []order{{"first_seen", "last_seen", false}}

// notSDO lists the types an SDO reference may not name.
var notSDO = []string{"relationship", "sighting", "bundle", "marking-definition", "language-content", "extension-definition"}

var opinionEnum = []string{"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"}

var extensionTypeEnum = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

var rules = map[string]*typeRules{
	"attack-pattern": {props: []prop{required(pStr("name")), pStr("description"), pStrs("aliases"), pKillChain}},
	"campaign": {props: []prop{required(pStr("name")), pStr("description"), pStrs("aliases"),
		pTime("first_seen"), pTime("last_seen"), pStr("objective")}, orders: seenOrder},
	"course-of-action": {props: []prop{required(pStr("name")), pStr("description")}},
	"grouping":         {props: []prop{pStr("name"), pStr("description"), required(pStr("context")), required(pRefs("object_refs"))}},
	"identity": {props: []prop{required(pStr("name")), pStr("description"), pStrs("roles"), pStr("identity_class"),
		pStrs("sectors"), pStr("contact_information")}},
	"incident": {props: []prop{required(pStr("name")), pStr("description"), pKillChain}},
	"indicator": {props: []prop{pStr("name"), pStr("description"), pStrs("indicator_types"), required(pStr("pattern")),
		required(pStr("pattern_type")), pStr("pattern_version"), required(pTime("valid_from")), pTime("valid_until"), pKillChain},
		orders: []order{{"valid_from", "valid_until", true}}},
	"infrastructure": {props: []prop{required(pStr("name")), pStr("description"), pStrs("infrastructure_types"),
		pStrs("aliases"), pKillChain, pTime("first_seen"), pTime("last_seen")}, orders: seenOrder},
	"intrusion-set": {props: []prop{required(pStr("name")), pStr("description"), pStrs("aliases"), pTime("first_seen"),
		pTime("last_seen"), pStrs("goals"), pStr("resource_level"), pStr("primary_motivation"),
		pStrs("secondary_motivations")}, orders: seenOrder},
	"location": {props: []prop{pStr("name"), pStr("description"), {name: "latitude", kind: kindNumber, min: -90, max: 90},
		{name: "longitude", kind: kindNumber, min: -180, max: 180}, {name: "precision", kind: kindNumber, min: 0, max: 1 << 62},
		pStr("region"), pStr("country"), pStr("administrative_area"), pStr("city"), pStr("street_address"), pStr("postal_code")}},
	"malware": {props: []prop{pStr("name"), pStr("description"), pStrs("malware_types"), required(prop{name: "is_family", kind: kindBool}),
		pStrs("aliases"), pKillChain, pTime("first_seen"), pTime("last_seen"), pRefs("operating_system_refs", "software"),
		pStrs("architecture_execution_envs"), pStrs("implementation_languages"), pStrs("capabilities"),
		pRefs("sample_refs", "file", "artifact")}, orders: seenOrder},
	"malware-analysis": {props: []prop{required(pStr("product")), pStr("version"), pRef("host_vm_ref", "software"),
		pRef("operating_system_ref", "software"), pRefs("installed_software_refs", "software"),
		pStr("configuration_version"), pStrs("modules"), pStr("analysis_engine_version"),
		pStr("analysis_definition_version"), pTime("submitted"), pTime("analysis_started"), pTime("analysis_ended"),
		pStr("result_name"), pStr("result"), pRefs("analysis_sco_refs"), pRef("sample_ref", "file", "artifact", "network-traffic")},
		orders: []order{{"analysis_started", "analysis_ended", false}}},
	"note": {props: []prop{pStr("abstract"), required(pStr("content")), pStrs("authors"), required(pRefs("object_refs"))}},
	"observed-data": {props: []prop{required(pTime("first_observed")), required(pTime("last_observed")),
		required(pInt("number_observed", 1, 999999999)), {name: "objects", kind: kindDict}, pRefs("object_refs")},
		orders: []order{{"first_observed", "last_observed", false}}},
	"opinion": {props: []prop{pStr("explanation"), pStrs("authors"), required(prop{name: "opinion", kind: kindEnum, types: opinionEnum}),
		required(pRefs("object_refs"))}},
	"report": {props: []prop{required(pStr("name")), pStr("description"), pStrs("report_types"), required(pTime("published")),
		required(pRefs("object_refs"))}},
	"threat-actor": {props: []prop{required(pStr("name")), pStr("description"), pStrs("threat_actor_types"), pStrs("aliases"),
		pTime("first_seen"), pTime("last_seen"), pStrs("roles"), pStrs("goals"), pStr("sophistication"), pStr("resource_level"),
		pStr("primary_motivation"), pStrs("secondary_motivations"), pStrs("personal_motivations")}, orders: seenOrder},
	"tool": {props: []prop{required(pStr("name")), pStr("description"), pStrs("tool_types"), pStrs("aliases"), pKillChain,
		pStr("tool_version")}},
	"vulnerability": {props: []prop{required(pStr("name")), pStr("description")}},

	"relationship": {class: classSRO, props: []prop{required(prop{name: "relationship_type", kind: kindString}),
		pStr("description"), required(denied(pRef("source_ref", notSDO...))), required(denied(pRef("target_ref", notSDO...))),
		pTime("start_time"), pTime("stop_time")}, orders: []order{{"start_time", "stop_time", true}}},
	"sighting": {class: classSRO, props: []prop{pStr("description"), pTime("first_seen"), pTime("last_seen"),
		pInt("count", 0, 999999999), required(denied(pRef("sighting_of_ref", notSDO...))),
		pRefs("observed_data_refs", "observed-data"), pRefs("where_sighted_refs", "identity", "location"),
		{name: "summary", kind: kindBool}}, orders: seenOrder},

	"marking-definition": {class: classMarking, props: []prop{pStr("name"), pStr("definition_type"),
		{name: "definition", kind: kindDict}}},
	"extension-definition": {class: classExtension, props: []prop{required(pStr("name")), pStr("description"),
		required(pStr("schema")), required(pStr("version")),
		required(prop{name: "extension_types", kind: kindStrings, types: extensionTypeEnum}), pStrs("extension_properties")}},
	"language-content": {class: classLanguage, props: []prop{required(denied(pRef("object_ref", "bundle", "language-content"))),
		pTime("object_modified"), required(prop{name: "contents", kind: kindDict})}},

	// Cyber-observable objects: the properties the specification requires
	// (§6); their deeper semantics are not checked.
	"artifact":             {class: classSCO, props: []prop{pStr("mime_type"), pStr("payload_bin"), pStr("url"), {name: "hashes", kind: kindHashes}}},
	"autonomous-system":    {class: classSCO, props: []prop{required(pInt("number", 0, 1<<32-1)), pStr("name"), pStr("rir")}},
	"directory":            {class: classSCO, props: []prop{required(pStr("path")), pRefs("contains_refs", "file", "directory")}},
	"domain-name":          {class: classSCO, props: []prop{required(pStr("value")), pRefs("resolves_to_refs", "ipv4-addr", "ipv6-addr", "domain-name")}},
	"email-addr":           {class: classSCO, props: []prop{required(pStr("value")), pStr("display_name"), pRef("belongs_to_ref", "user-account")}},
	"email-message":        {class: classSCO, props: []prop{required(prop{name: "is_multipart", kind: kindBool}), pTime("date"), pStr("subject"), pRef("from_ref", "email-addr")}},
	"file":                 {class: classSCO, props: []prop{{name: "hashes", kind: kindHashes}, pStr("name"), pInt("size", 0, 1<<62)}},
	"ipv4-addr":            {class: classSCO, props: []prop{required(pStr("value"))}},
	"ipv6-addr":            {class: classSCO, props: []prop{required(pStr("value"))}},
	"mac-addr":             {class: classSCO, props: []prop{required(pStr("value"))}},
	"mutex":                {class: classSCO, props: []prop{required(pStr("name"))}},
	"network-traffic":      {class: classSCO, props: []prop{required(pStrs("protocols")), pTime("start"), pTime("end")}},
	"process":              {class: classSCO, props: []prop{pInt("pid", 0, 1<<62), pTime("created_time")}},
	"software":             {class: classSCO, props: []prop{required(pStr("name")), pStr("version"), pStr("vendor")}},
	"url":                  {class: classSCO, props: []prop{required(pStr("value"))}},
	"user-account":         {class: classSCO, props: []prop{pStr("user_id"), pStr("account_login")}},
	"windows-registry-key": {class: classSCO, props: []prop{pStr("key")}},
	"x509-certificate":     {class: classSCO, props: []prop{{name: "hashes", kind: kindHashes}, pStr("serial_number")}},
}

// predefinedSCOExtensions are the extension names STIX 2.1 defines for
// cyber-observables (§6); any other extension key must be an
// extension-definition id.
var predefinedSCOExtensions = map[string]bool{
	"archive-ext": true, "ntfs-ext": true, "pdf-ext": true, "raster-image-ext": true,
	"windows-pebinary-ext": true, "http-request-ext": true, "icmp-ext": true, "socket-ext": true,
	"tcp-ext": true, "windows-process-ext": true, "windows-service-ext": true, "unix-account-ext": true,
}

// reservedProperties may not appear on any object (STIX 2.1 §3.1, reserved
// for future use).
var reservedProperties = map[string]bool{"severity": true, "action": true, "username": true, "phone_numbers": true}
