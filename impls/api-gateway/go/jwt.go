package main

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rejection is an answer the gateway writes itself (README: "Answers written by the gateway").
type Rejection struct {
	Status int
	Body   []byte
}

func rejection(status int, errCode, detail string) *Rejection {
	return &Rejection{Status: status, Body: []byte(`{"error":"` + errCode + `","detail":"` + detail + `"}`)}
}

// The fixed rejections, allocated once.
var (
	errMissing      = rejection(401, "invalid_token", "missing")
	errMalformed    = rejection(401, "invalid_token", "malformed")
	errUnsupported  = rejection(401, "invalid_token", "unsupported_alg")
	errBadSignature = rejection(401, "invalid_token", "bad_signature")
	errMissingClaim = rejection(401, "invalid_token", "missing_claim")
	errExpired      = rejection(401, "invalid_token", "expired")
	errNotYetValid  = rejection(401, "invalid_token", "not_yet_valid")
	errIssuer       = rejection(403, "forbidden", "issuer")
	errAudience     = rejection(403, "forbidden", "audience")
	errScope        = rejection(403, "forbidden", "scope")
)

const (
	maxTokenLen  = 4096
	maxJSONDepth = 32
	maxSubLen    = 128
)

// Verifier checks bearer tokens: HS256 only with the secret, RS256 only with the public key.
// Both keys are prepared once, by NewVerifier: the RSA key parsed (LoadPublicKey), the HMAC key
// as a keyed HMAC-SHA-256 whose inner and outer states each verification clones.
type Verifier struct {
	hs256    hash.Cloner
	Public   *rsa.PublicKey
	Issuer   string
	Audience string
}

// NewVerifier prepares the keys: secret is the HS256 key (LoadSecret), pub the RSA key.
func NewVerifier(secret []byte, pub *rsa.PublicKey, issuer, audience string) *Verifier {
	mac := hmac.New(sha256.New, secret)
	// The first Reset saves the keyed inner and outer states; clones restore them instead of
	// hashing the padded key again.
	mac.Reset()
	return &Verifier{hs256: mac.(hash.Cloner), Public: pub, Issuer: issuer, Audience: audience}
}

var b64 = base64.RawURLEncoding.Strict()

// Verify runs README steps 6 and 7 for one request: authValues are the values of every
// Authorization field, adminPath tells whether the decoded path needs the admin scope, now is
// the wall clock in Unix seconds. It returns the client id (the verified sub) or a rejection.
func (v *Verifier) Verify(authValues []string, adminPath bool, now int64) (string, *Rejection) {
	if len(authValues) == 0 {
		return "", errMissing
	}
	if len(authValues) > 1 {
		return "", errMalformed
	}
	tok, ok := bearerToken(authValues[0])
	if !ok {
		return "", errMalformed
	}
	dot1 := strings.IndexByte(tok, '.')
	if dot1 <= 0 {
		return "", errMalformed
	}
	dot2 := strings.IndexByte(tok[dot1+1:], '.')
	if dot2 < 0 {
		return "", errMalformed
	}
	dot2 += dot1 + 1
	if strings.IndexByte(tok[dot2+1:], '.') >= 0 {
		return "", errMalformed
	}
	headerJSON, err1 := b64.DecodeString(tok[:dot1])
	payloadJSON, err2 := b64.DecodeString(tok[dot1+1 : dot2])
	sig, err3 := b64.DecodeString(tok[dot2+1:])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", errMalformed
	}
	header, ok := parseObject(headerJSON)
	if !ok {
		return "", errMalformed
	}
	var alg string
	if raw, present := header["alg"]; !present || json.Unmarshal(raw, &alg) != nil {
		return "", errUnsupported
	}
	signingInput := tok[:dot2]
	switch alg {
	case "HS256":
		mac, err := v.hs256.Clone()
		if err != nil {
			panic(err) // std's SHA-256 HMAC is always cloneable
		}
		mac.Write([]byte(signingInput))
		var sum [sha256.Size]byte
		if !hmac.Equal(mac.Sum(sum[:0]), sig) {
			return "", errBadSignature
		}
	case "RS256":
		digest := sha256.Sum256([]byte(signingInput))
		if rsa.VerifyPKCS1v15(v.Public, crypto.SHA256, digest[:], sig) != nil {
			return "", errBadSignature
		}
	default:
		return "", errUnsupported
	}
	return v.checkClaims(payloadJSON, adminPath, now)
}

// bearerToken splits "Bearer <token>" (scheme case-insensitive, one or more spaces).
func bearerToken(value string) (string, bool) {
	const scheme = "bearer"
	if len(value) < len(scheme)+2 || !strings.EqualFold(value[:len(scheme)], scheme) || value[len(scheme)] != ' ' {
		return "", false
	}
	tok := strings.TrimLeft(value[len(scheme):], " ")
	if tok == "" || len(tok) > maxTokenLen || strings.ContainsAny(tok, " \t") {
		return "", false
	}
	return tok, true
}

type claims struct {
	exp, nbf                 float64
	hasExp, hasNbf           bool
	sub, iss, scope          string
	hasSub, hasIss, hasScope bool
	aud                      []string
	hasAud                   bool
}

func (v *Verifier) checkClaims(payloadJSON []byte, adminPath bool, now int64) (string, *Rejection) {
	obj, ok := parseObject(payloadJSON)
	if !ok {
		return "", errMalformed
	}
	var c claims
	var err error
	if raw, p := obj["exp"]; p {
		c.hasExp = true
		if c.exp, err = number(raw); err != nil {
			return "", errMalformed
		}
	}
	if raw, p := obj["nbf"]; p {
		c.hasNbf = true
		if c.nbf, err = number(raw); err != nil {
			return "", errMalformed
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
		has  *bool
	}{{"sub", &c.sub, &c.hasSub}, {"iss", &c.iss, &c.hasIss}, {"scope", &c.scope, &c.hasScope}} {
		if raw, p := obj[f.name]; p {
			*f.has = true
			if !isString(raw) || json.Unmarshal(raw, f.dst) != nil {
				return "", errMalformed
			}
		}
	}
	if raw, p := obj["aud"]; p {
		c.hasAud = true
		switch {
		case isString(raw):
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return "", errMalformed
			}
			c.aud = []string{s}
		case len(raw) > 0 && raw[0] == '[':
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) != nil {
				return "", errMalformed
			}
			c.aud = make([]string, len(items))
			for i, it := range items {
				if !isString(it) || json.Unmarshal(it, &c.aud[i]) != nil {
					return "", errMalformed
				}
			}
		default:
			return "", errMalformed
		}
	}
	if !c.hasExp || !c.hasSub || !c.hasIss || !c.hasAud {
		return "", errMissingClaim
	}
	if !validSub(c.sub) {
		return "", errMalformed
	}
	t := float64(now)
	if t >= c.exp {
		return "", errExpired
	}
	if c.hasNbf && t < c.nbf {
		return "", errNotYetValid
	}
	if c.iss != v.Issuer {
		return "", errIssuer
	}
	audOK := false
	for _, a := range c.aud {
		if a == v.Audience {
			audOK = true
			break
		}
	}
	if !audOK {
		return "", errAudience
	}
	if adminPath && !hasScope(c.scope, "admin") {
		return "", errScope
	}
	return c.sub, nil
}

// parseObject parses a JSON object (valid UTF-8, nesting ≤ 32) into its members; a repeated
// member name keeps the last value (encoding/json's map semantics).
func parseObject(data []byte) (map[string]json.RawMessage, bool) {
	if !utf8.Valid(data) || !depthOK(data, maxJSONDepth) {
		return nil, false
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// depthOK reports whether arrays and objects nest at most max deep (strings are skipped).
func depthOK(data []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, b := range data {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if b == '\\' {
				escaped = true
			} else if b == '"' {
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			if depth > max {
				return false
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return true
}

func isString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }

var errNotNumber = errors.New("not a finite number")

func number(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || !(raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return 0, errNotNumber
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errNotNumber
	}
	return f, nil
}

func validSub(s string) bool {
	if len(s) == 0 || len(s) > maxSubLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// hasScope reports whether the space-separated list contains name.
func hasScope(list, name string) bool {
	for list != "" {
		var item string
		item, list, _ = strings.Cut(list, " ")
		if item == name {
			return true
		}
	}
	return false
}

// LoadSecret reads the HS256 secret file (trailing whitespace removed, at least 32 bytes).
func LoadSecret(data []byte) ([]byte, error) {
	s := bytes.TrimRight(data, " \t\r\n")
	if len(s) < 32 {
		return nil, fmt.Errorf("the HS256 secret has %d bytes, at least 32 are required", len(s))
	}
	return s, nil
}

// LoadPublicKey parses a "PUBLIC KEY" PEM holding an RSA key of 2048, 3072 or 4096 bits.
func LoadPublicKey(data []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("no -----BEGIN PUBLIC KEY----- block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the public key is not an RSA key")
	}
	if bits := pub.N.BitLen(); bits != 2048 && bits != 3072 && bits != 4096 {
		return nil, fmt.Errorf("RSA modulus of %d bits, 2048, 3072 or 4096 required", bits)
	}
	return pub, nil
}
