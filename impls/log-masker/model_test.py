#!/usr/bin/env python3
"""Unit tests of the spec model (model.py): the spec's own examples and edge cases, the shared
corpus, and the shortcut scan against trying every position. Run: python3 model_test.py
(runner/tests/oracles.rs runs it under `cargo test`)."""
import json
import os
import random
import unittest

import model

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def m(text):
    return model.mask(text.encode())[0].decode()


class Spec(unittest.TestCase):
    def same(self, *cases):
        for case in cases:
            with self.subTest(case=case):
                self.assertEqual(m(case), case)

    def test_corpus(self):
        data = read(os.path.join(HERE, "testdata/cases.log"))
        out, s = model.mask(data)
        self.assertEqual(out, read(os.path.join(HERE, "testdata/cases.expected")))
        want = read(os.path.join(HERE, "testdata/cases.summary.json"), "r").strip()
        self.assertEqual(model.summary_line(s), want)

    def test_lines_and_bytes(self):
        self.assertEqual(model.mask(b"")[1]["lines"], 0)
        self.assertEqual(model.mask(b"a\nb")[1]["lines"], 2)
        self.assertEqual(model.mask(b"a\n")[1]["lines"], 1)
        self.assertEqual(model.mask(b"\n\n")[1]["lines"], 2)
        out, s = model.mask(b"ip 10.0.0.1")
        self.assertEqual((out, s["bytes_in"], s["bytes_out"]), (b"ip [IPV4]", 11, 9))
        self.assertEqual(list(s["masked"]), model.KEYS)

    def test_jwt(self):
        self.assertEqual(m("eyJa.b.c"), "[JWT]")
        self.assertEqual(m("x eyJhb-_.e_-.s-x!"), "x [JWT]!")
        self.same("eyJ.a.b", "eyJa.b", "eyJa..c", "_eyJa.b.c", "eyJa.b.")

    def test_bearer(self):
        self.assertEqual(m("Bearer abcdefgh"), "Bearer [TOKEN]")
        self.assertEqual(m("bEaReR   a.b/c=d~e+f-g"), "bEaReR   [TOKEN]")
        self.assertEqual(m("bearer 12345678 rest"), "bearer [TOKEN] rest")
        self.same("Bearer abcdefg", "Bearerabcdefghij", "xbearer abcdefghij", "bearer\tabcdefghij")

    def test_secret(self):
        self.assertEqual(m("password=ab€cd"), "password=[REDACTED]€cd")
        self.assertEqual(m("password=abc\r"), "password=[REDACTED]")
        self.assertEqual(m("password=abc\r\nx"), "password=[REDACTED]\nx")
        self.assertEqual(m('"PassWord" : "x y"'), '"PassWord" : "[REDACTED] y"')
        self.assertEqual(m("API_KEY:k=v:w"), "API_KEY:[REDACTED]")
        self.assertEqual(m("apikey = \"a'b"), "apikey = \"[REDACTED]'b")
        self.assertEqual(m("Access_Token=\x01\x02"), "Access_Token=[REDACTED]")
        self.same("password=€x", "passwords=x", "secret_key=x", "password=", 'pwd=""',
                  "xpassword=abc", "password\t=abc", "pwd=;x", "pwd= ,x")

    def test_api_key(self):
        self.assertEqual(m("AKIA0123456789ABCDEF"), "[API_KEY]")
        self.assertEqual(m("AKIA0123456789ABCDEF-x"), "[API_KEY]-x")
        self.same("AKIA0123456789ABCDEFG", "AKIA0123456789ABCDE", "AKIA0123456789ABCDEF-1",
                  "AKIA0123456789abcdef", "xAKIA0123456789ABCDEF")
        self.assertEqual(m("ghp_" + "a" * 36), "[API_KEY]")
        self.same("ghp_" + "a" * 35, "ghp_" + "a" * 37)
        self.assertEqual(m("sk_live_" + "A1" * 8), "[API_KEY]")
        self.assertEqual(m("rk_test_" + "z" * 30 + "."), "[API_KEY].")
        self.same("sk_live_" + "a" * 15, "sk_prod_" + "a" * 20, "xk_live_" + "a" * 20,
                  "sk_live_" + "a" * 20 + ".5")

    def test_email(self):
        self.assertEqual(m("a@b.co."), "[EMAIL].")
        self.assertEqual(m("<a.b+c%d@x-y.example.org>"), "<[EMAIL]>")
        self.assertEqual(m(".x@a.bc"), "[EMAIL]")
        self.assertEqual(m("é@x a_b@c.de"), "é@x [EMAIL]")
        self.same("a@b", "a@b.c", "a@b..cd", "a@.b.cd", "a@b.c1", "@b.cd", "a@ b.cd")

    def test_ipv6(self):
        self.assertEqual(m("a :: b"), "a [IPV6] b")
        self.assertEqual(m("1::"), "[IPV6]")
        self.assertEqual(m("::1"), "[IPV6]")
        self.assertEqual(m("at 1:2:3:4:5:6:7:8: x"), "at [IPV6]: x")
        self.assertEqual(m("1:2:3::4:5:6:7"), "[IPV6]")
        self.assertEqual(m("(fe80::1)"), "([IPV6])")
        self.same("12:30:45", "aa:bb:cc:dd:ee:ff", "a::b::c", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                  "1:2:3::4:5:6:7:8", "1:::2", "12345::1", "::1.2", "x::1", ".::1", ":::",
                  "::1_", "fe80::g")

    def test_ipv4(self):
        self.assertEqual(m("10.0.0.1."), "[IPV4].")
        self.assertEqual(m("0.0.0.0:80"), "[IPV4]:80")
        self.assertEqual(m("é10.0.0.1"), "é[IPV4]")
        self.same("1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3", "10.0.0.1-5", "-10.0.0.1",
                  "+10.0.0.1", ".10.0.0.1", "1..2.3.4", "1.2.3.1000")

    def test_thai_id(self):
        self.assertEqual(m("1101700207366"), "[THAI_ID]")
        self.assertEqual(m("1 1017 00207 36 6"), "[THAI_ID]")
        self.same("1101700207367", "1-1017 00207-36-6", "1-1017-00207-36-66", "11101700207366")
        # A valid ID wins over card even when its digits also pass Luhn.
        for n in range(10**11, 10**11 + 2000):
            s = str(n)
            d = s + str((11 - sum(int(c) * (13 - i) for i, c in enumerate(s)) % 11) % 10)
            if model.luhn_ok(d.encode()):
                self.assertEqual(m(d), "[THAI_ID]")
                break
        else:
            self.fail("no 13-digit ID passing Luhn found")

    def test_card(self):
        self.assertEqual(m("4111 1111 1111 1111"), "[CARD]")
        self.assertEqual(m("4111111111111111.x"), "[CARD].x")
        self.assertEqual(m("4222222222222"), "[CARD]")
        self.same("4111-1111 1111-1111", "4111111111111112", "41111111111111111111",
                  "4111111111111111.1", "4111111111111111-2", "a4111111111111111")

    def test_phone(self):
        self.assertEqual(m("+66812345678"), "[PHONE]")
        self.assertEqual(m("+66-2-123-4567"), "[PHONE]")
        self.assertEqual(m("0912345678"), "[PHONE]")
        self.assertEqual(m("02-123 4567"), "[PHONE]")
        self.assertEqual(m("+1 (212) 555-0199"), "[PHONE]")
        self.assertEqual(m("+12125550199"), "[PHONE]")
        self.assertEqual(m("(212)555 0199"), "[PHONE]")
        self.assertEqual(m("212-555-0199"), "[PHONE]")
        self.same("2125550199", "(212) 5550199", "212 555 0199", "0712345678", "0812345678-9",
                  "x0812345678", "+66 7 123 4567", "081--234-5678")

    def test_priority_and_resume(self):
        # secret comes before email; the value is replaced, not the e-mail
        self.assertEqual(m("pwd=a@b.cd"), "pwd=[REDACTED]")
        # after a match, boundaries look at the input line
        self.assertEqual(m("10.0.0.1 10.0.0.2"), "[IPV4] [IPV4]")
        self.assertEqual(m("ยา0812345678"), "ยา[PHONE]")

    def test_shortcut_equals_every_position(self):
        pieces = ["eyJ", "a", "Z", "0", "1", "9", "4111", "1111", "08", "02", "+66", "+1", "(212)",
                  "555", "0199", ".", "-", " ", ":", "::", "@", "b.co", "_", "=", '"', "'",
                  "password", "Bearer ", "AKIA", "ghp_", "sk_live_", "é", "\r", "\t", "%", "+",
                  "192.168", "fe80", "1101700207366", "x@y.zz", ";", ",", "&"]
        rng = random.Random(7)
        for _ in range(3000):
            line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))).encode()
            a, b = {k: 0 for k in model.KEYS}, {k: 0 for k in model.KEYS}
            with self.subTest(line=line):
                self.assertEqual(model.mask_line(line, a, fast=True),
                                 model.mask_line(line, b, fast=False))
                self.assertEqual(a, b)

    def test_verify_cli(self):
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            p = lambda n: os.path.join(d, n)
            write(p("in"), b"ip 10.0.0.1\nmail a@b.cd")
            out, s = model.mask(read(p("in")))
            write(p("out"), out)
            write(p("sum"), model.summary_line(s) + "\n")
            run = lambda *a: subprocess.run(["python3", os.path.join(HERE, "model.py"), "verify",
                                             p("in"), p("out"), p("sum"), *a],
                                            capture_output=True).returncode
            self.assertEqual(run(), 0)
            self.assertEqual(run("--budget", "1"), 0)
            write(p("out"), out.replace(b"[EMAIL]", b"a@b.cd"))
            self.assertEqual(run(), 1)
            write(p("out"), out)
            write(p("sum"), json.dumps(s).replace('"jwt": 0', '"jwt": 1') + "\n")
            self.assertEqual(run(), 1)


if __name__ == "__main__":
    unittest.main()
