package main

import (
	"encoding/json"
	"os"
	"testing"
)

type casesFile struct {
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	TestNow  int64  `json:"test_now"`
	Cases    []struct {
		Name          string  `json:"name"`
		Authorization *string `json:"authorization"`
		Path          string  `json:"path"`
		Status        int     `json:"status"`
		Body          *string `json:"body"`
	} `json:"cases"`
}

func loadCases(t *testing.T) *casesFile {
	t.Helper()
	data, err := os.ReadFile("../testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c casesFile
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func testVerifier(t *testing.T) *Verifier {
	t.Helper()
	secretBytes, err := os.ReadFile("../testdata/hs256.secret")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := LoadSecret(secretBytes)
	if err != nil {
		t.Fatal(err)
	}
	keyBytes, err := os.ReadFile("../testdata/rs256-public.pem")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(keyBytes)
	if err != nil {
		t.Fatal(err)
	}
	return NewVerifier(secret, pub, "bench-issuer", "bench-api")
}

// Every shared case (testdata/cases.json) gets exactly the expected status and body.
func TestSharedTokenCases(t *testing.T) {
	cf := loadCases(t)
	v := testVerifier(t)
	if cf.Issuer != v.Issuer || cf.Audience != v.Audience {
		t.Fatalf("cases.json is for %s/%s", cf.Issuer, cf.Audience)
	}
	if len(cf.Cases) < 90 {
		t.Fatalf("only %d cases", len(cf.Cases))
	}
	for _, c := range cf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var auth []string
			if c.Authorization != nil {
				auth = []string{*c.Authorization}
			}
			path, ok := CheckPath(c.Path)
			if !ok {
				t.Fatalf("bad path %q", c.Path)
			}
			sub, rej := v.Verify(auth, IsAdminPath(path), cf.TestNow)
			if c.Body == nil {
				if rej != nil {
					t.Fatalf("rejected %d %s, expected to pass", rej.Status, rej.Body)
				}
				if sub == "" {
					t.Fatal("no client id")
				}
				return
			}
			if rej == nil {
				t.Fatalf("passed as %q, expected %d %s", sub, c.Status, *c.Body)
			}
			if rej.Status != c.Status || string(rej.Body) != *c.Body {
				t.Fatalf("got %d %s, expected %d %s", rej.Status, rej.Body, c.Status, *c.Body)
			}
		})
	}
}

func authOf(t *testing.T, cf *casesFile, name string) string {
	for _, c := range cf.Cases {
		if c.Name == name {
			return *c.Authorization
		}
	}
	t.Fatalf("no case %s", name)
	return ""
}

func TestTimeBoundariesAreExact(t *testing.T) {
	cf := loadCases(t)
	v := testVerifier(t)
	tok := []string{authOf(t, cf, "valid-hs-00")} // exp 4102444800, nbf 1500000000
	if _, rej := v.Verify(tok, false, 4102444799); rej != nil {
		t.Fatalf("one second before exp: %s", rej.Body)
	}
	if _, rej := v.Verify(tok, false, 4102444800); rej != errExpired {
		t.Fatalf("at exp: %v", rej)
	}
	if _, rej := v.Verify(tok, false, 1500000000); rej != nil {
		t.Fatalf("at nbf: %s", rej.Body)
	}
	if _, rej := v.Verify(tok, false, 1499999999); rej != errNotYetValid {
		t.Fatalf("before nbf: %v", rej)
	}
	// exp 4102444800.5: still valid at 4102444800.
	if _, rej := v.Verify([]string{authOf(t, cf, "valid-float-exp")}, false, 4102444800); rej != nil {
		t.Fatalf("fractional exp: %s", rej.Body)
	}
}

func TestTwoAuthorizationFieldsAreMalformed(t *testing.T) {
	cf := loadCases(t)
	v := testVerifier(t)
	a := authOf(t, cf, "valid-hs-00")
	if _, rej := v.Verify([]string{a, a}, false, cf.TestNow); rej != errMalformed {
		t.Fatalf("got %v", rej)
	}
}

func TestErrorBodiesAreExact(t *testing.T) {
	for rej, want := range map[*Rejection]string{
		errMissing:      `{"error":"invalid_token","detail":"missing"}`,
		errMalformed:    `{"error":"invalid_token","detail":"malformed"}`,
		errUnsupported:  `{"error":"invalid_token","detail":"unsupported_alg"}`,
		errBadSignature: `{"error":"invalid_token","detail":"bad_signature"}`,
		errMissingClaim: `{"error":"invalid_token","detail":"missing_claim"}`,
		errExpired:      `{"error":"invalid_token","detail":"expired"}`,
		errNotYetValid:  `{"error":"invalid_token","detail":"not_yet_valid"}`,
		errIssuer:       `{"error":"forbidden","detail":"issuer"}`,
		errAudience:     `{"error":"forbidden","detail":"audience"}`,
		errScope:        `{"error":"forbidden","detail":"scope"}`,
		errTarget:       `{"error":"invalid_request","detail":"target"}`,
		errPath:         `{"error":"invalid_request","detail":"path"}`,
		errMethod:       `{"error":"method_not_allowed","detail":"method"}`,
		errLength:       `{"error":"length_required","detail":"transfer-encoding"}`,
		errTooLarge:     `{"error":"payload_too_large","detail":"content-length"}`,
		errBadGateway:   `{"error":"bad_gateway","detail":"upstream"}`,
	} {
		if string(rej.Body) != want {
			t.Errorf("got %s, want %s", rej.Body, want)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	deep := func(n int) []byte {
		s := `{"a":`
		for i := 0; i < n-1; i++ {
			s += "["
		}
		for i := 0; i < n-1; i++ {
			s += "]"
		}
		return []byte(s + "}")
	}
	if _, ok := parseObject(deep(32)); !ok {
		t.Fatal("depth 32 refused")
	}
	if _, ok := parseObject(deep(33)); ok {
		t.Fatal("depth 33 accepted")
	}
	if _, ok := parseObject([]byte(`{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"["}`)); !ok {
		t.Fatal("brackets inside strings counted")
	}
}

func TestKeyLoading(t *testing.T) {
	if _, err := LoadSecret([]byte("short\n")); err == nil {
		t.Fatal("short secret accepted")
	}
	s, err := LoadSecret([]byte("0123456789abcdef0123456789abcdef \r\n\t"))
	if err != nil || string(s) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("%q %v", s, err)
	}
	if _, err := LoadPublicKey([]byte("not a pem")); err == nil {
		t.Fatal("garbage key accepted")
	}
	priv, _ := os.ReadFile("../testdata/rs256-private.pem")
	if _, err := LoadPublicKey(priv); err == nil {
		t.Fatal("private key PEM accepted as public key")
	}
}
