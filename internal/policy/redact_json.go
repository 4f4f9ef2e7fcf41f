package policy

import (
	"bytes"
	"encoding/json"
)

// RedactJSON applies RedactText to every string of an encoded JSON value,
// member names included, and hides the value of a member whose name says it
// holds a credential ({"password": "..."}), as RedactText does for
// "password: ..." in text. It scans the bytes once and copies them only when
// something changes, so a value with nothing to hide costs one pass and no
// allocation beyond the strings it has to look at. doc must be valid JSON
// (what json.Marshal produced); the result is too.
func RedactJSON(doc []byte) []byte {
	var out []byte      // nil until the first change
	last := 0           // doc[:last] has been copied to out
	credential := false // the member whose value comes next is named like a credential
	for i := 0; i < len(doc); i++ {
		if doc[i] != '"' {
			continue
		}
		end := stringEnd(doc, i)
		raw, isName := doc[i+1:end-1], followedByColon(doc, end)
		hides := credential && !isName
		credential = isName && namesCredential(raw)
		if len(raw) < minCredential && !hides {
			i = end - 1
			continue
		}
		s := decodeString(doc[i:end])
		redacted := RedactText(s)
		if hides && len(s) >= 4 && !isPlainSetting(s) {
			redacted = "<redacted>"
		}
		if redacted != s {
			out = append(append(out, doc[last:i]...), encodeString(redacted)...)
			last = end
		}
		i = end - 1
	}
	if out == nil {
		return doc
	}
	return append(out, doc[last:]...)
}

// credentialSuffixes end the names of fields that hold credentials, as
// credentialName does in text.
var credentialSuffixes = [][]byte{[]byte("token"), []byte("key-data"), []byte("password"), []byte("passwd"), []byte("secret"),
	[]byte("apikey"), []byte("api-key"), []byte("api_key"), []byte("accesskey"), []byte("access-key"), []byte("access_key")}

func namesCredential(name []byte) bool {
	for _, suffix := range credentialSuffixes {
		if len(name) >= len(suffix) && bytes.EqualFold(name[len(name)-len(suffix):], suffix) {
			return true
		}
	}
	return false
}

// stringEnd is the index just past the JSON string that starts at doc[start].
func stringEnd(doc []byte, start int) int {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

// decodeString is the text of an encoded JSON string, quotes included.
func decodeString(enc []byte) string {
	if bytes.IndexByte(enc, '\\') < 0 {
		return string(enc[1 : len(enc)-1])
	}
	var s string
	_ = json.Unmarshal(enc, &s) // valid by RedactJSON's contract
	return s
}

func followedByColon(doc []byte, i int) bool {
	for ; i < len(doc); i++ {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

func encodeString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<redacted>" stays readable
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
