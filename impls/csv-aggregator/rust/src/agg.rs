//! The streaming CSV parser and the GROUP BY aggregation (spec: ../README.md).

use foldhash::HashMap;
use memchr::{memchr, memchr2};
use std::fmt;
use std::io::{self, BufWriter, Read, Write};

/// Initial read buffer; it doubles only for a record longer than the buffer.
pub const BUFFER_SIZE: usize = 1 << 20;

const KIND_IGNORE: u8 = 0;
const KIND_REGION: u8 = 1;
const KIND_PRODUCT: u8 = 2;
const KIND_QTY: u8 = 3;
const KIND_PRICE: u8 = 4;
const COLUMN_NAMES: [&str; 4] = ["region", "product", "qty", "unit_price"];

/// The bytes that end an unquoted field's run: , CR LF and ".
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'"' as usize] = true;
    t
};

/// A malformed-input error at record `record`, which starts on line `line`.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub record: u64,
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} (line {}): {}",
            self.record, self.line, self.reason
        )
    }
}

#[derive(Debug)]
pub enum Error {
    Parse(ParseError),
    Io(io::Error),
}

/// The aggregate of one (region, product) pair.
#[derive(Debug, Clone)]
pub struct Group {
    pub region: Vec<u8>,
    pub product: Vec<u8>,
    pub count: u64,
    pub sum_qty: i64,
    pub revenue: i64,
    pub min_price: i64,
    pub max_price: i64,
}

/// The outcome of a successful aggregation; `groups` sorted by region, then product.
pub struct Outcome {
    pub bytes: u64,
    pub records: u64,
    pub groups: Vec<Group>,
}

impl Outcome {
    pub fn summary(&self) -> String {
        format!(
            "{{\"bytes\":{},\"records\":{},\"groups\":{}}}\n",
            self.bytes,
            self.records,
            self.groups.len()
        )
    }
}

struct Aggregator {
    in_header: bool,
    nfields: usize,
    kinds: Vec<u8>,
    seen: [bool; 4],
    kind_at: [usize; 4],
    record: u64,
    line: u64,
    index: HashMap<Box<[u8]>, u32>,
    groups: Vec<Group>,
    key: Vec<u8>,
    unesc: [Vec<u8>; 2],
}

/// Reads `r` to the end in BUFFER_SIZE chunks and returns the sorted groups.
pub fn aggregate<R: Read>(r: R) -> Result<Outcome, Error> {
    aggregate_with(r, BUFFER_SIZE)
}

/// `aggregate` with an initial buffer of `size` bytes (the tests use tiny ones).
pub fn aggregate_with<R: Read>(mut r: R, size: usize) -> Result<Outcome, Error> {
    let mut a = Aggregator::new();
    let mut buf = vec![0u8; size];
    let mut filled = 0;
    let mut eof = false;
    let mut total = 0u64;
    loop {
        while filled < buf.len() && !eof {
            match r.read(&mut buf[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => {
                    filled += n;
                    total += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let consumed = a.parse(&buf[..filled], eof).map_err(Error::Parse)?;
        if eof {
            break;
        }
        buf.copy_within(consumed..filled, 0);
        filled -= consumed;
        if filled == buf.len() {
            buf.resize(2 * buf.len(), 0);
        }
    }
    if a.in_header {
        return Err(Error::Parse(ParseError {
            record: 1,
            line: 1,
            reason: "empty input".into(),
        }));
    }
    let mut groups = std::mem::take(&mut a.groups);
    groups.sort_unstable_by(|x, y| {
        x.region
            .cmp(&y.region)
            .then_with(|| x.product.cmp(&y.product))
    });
    Ok(Outcome {
        bytes: total,
        records: a.record - 2,
        groups,
    })
}

// How a field ended.
const TERM_COMMA: u8 = 0;
const TERM_LF: u8 = 1;
const TERM_CRLF: u8 = 2;
const TERM_EOF: u8 = 3;

impl Aggregator {
    fn new() -> Self {
        Aggregator {
            in_header: true,
            nfields: 0,
            kinds: Vec::new(),
            seen: [false; 4],
            kind_at: [0; 4],
            record: 1,
            line: 1,
            index: HashMap::default(),
            groups: Vec::new(),
            key: Vec::new(),
            unesc: [Vec::new(), Vec::new()],
        }
    }

    #[cold]
    fn fail(&self, reason: impl Into<String>) -> ParseError {
        ParseError {
            record: self.record,
            line: self.line,
            reason: reason.into(),
        }
    }

    /// Handles every complete record of `buf` and returns the offset of the first byte not
    /// consumed (the start of an unfinished record). With `eof`, `buf` ends at end-of-file.
    fn parse(&mut self, buf: &[u8], eof: bool) -> Result<usize, ParseError> {
        let n = buf.len();
        let mut pos = 0;
        while pos < n {
            let start = pos;
            if !self.in_header {
                // Fast path: a complete line without " or CR is one record whose fields end at
                // commas (most records). The others take the byte-at-a-time state machine below.
                if let Some(i) = memchr(b'\n', &buf[pos..]) {
                    let line = &buf[pos..pos + i];
                    if memchr2(b'"', b'\r', line).is_none() {
                        self.plain_record(line)?;
                        pos += i + 1;
                        self.record += 1;
                        self.line += 1;
                        continue;
                    }
                }
            }
            if self.in_header {
                // The header may be parsed again after a read: start it afresh.
                self.kinds.clear();
                self.seen = [false; 4];
            }
            let mut field = 0usize;
            let mut nl = 0u64; // LF bytes inside quoted fields of this record
            let (mut region, mut product): (&[u8], &[u8]) = (&[], &[]);
            let (mut region_esc, mut product_esc) = (false, false);
            let (mut qty, mut price) = (0i64, 0i64);
            loop {
                // One field: buf[vs..ve] is its raw value, esc tells if it holds "" pairs.
                let (vs, ve);
                let mut esc = false;
                let term;
                if pos < n && buf[pos] == b'"' {
                    pos += 1;
                    vs = pos;
                    loop {
                        if pos >= n {
                            if eof {
                                return Err(self.fail("unterminated quoted field"));
                            }
                            return Ok(start);
                        }
                        let c = buf[pos];
                        if c == b'"' {
                            if pos + 1 >= n && !eof {
                                return Ok(start);
                            }
                            if pos + 1 < n && buf[pos + 1] == b'"' {
                                esc = true;
                                pos += 2;
                                continue;
                            }
                            break;
                        }
                        if c == b'\n' {
                            nl += 1;
                        }
                        pos += 1;
                    }
                    ve = pos;
                    pos += 1;
                    if pos >= n {
                        if !eof {
                            return Ok(start);
                        }
                        term = TERM_EOF;
                    } else {
                        term = match buf[pos] {
                            b',' => TERM_COMMA,
                            b'\n' => TERM_LF,
                            b'\r' => {
                                if pos + 1 >= n && !eof {
                                    return Ok(start);
                                }
                                if pos + 1 < n && buf[pos + 1] == b'\n' {
                                    TERM_CRLF
                                } else {
                                    return Err(
                                        self.fail("unexpected character after closing quote")
                                    );
                                }
                            }
                            _ => return Err(self.fail("unexpected character after closing quote")),
                        };
                    }
                } else {
                    vs = pos;
                    while pos < n && !SPECIAL[buf[pos] as usize] {
                        pos += 1;
                    }
                    ve = pos;
                    if pos >= n {
                        if !eof {
                            return Ok(start);
                        }
                        term = TERM_EOF;
                    } else {
                        term = match buf[pos] {
                            b',' => TERM_COMMA,
                            b'\n' => TERM_LF,
                            b'"' => return Err(self.fail("quote in unquoted field")),
                            _ => {
                                // CR
                                if pos + 1 >= n && !eof {
                                    return Ok(start);
                                }
                                if pos + 1 < n && buf[pos + 1] == b'\n' {
                                    TERM_CRLF
                                } else {
                                    return Err(self.fail("bare CR outside quotes"));
                                }
                            }
                        };
                    }
                }
                let value = &buf[vs..ve];
                if self.in_header {
                    self.header_field(value, esc)?;
                } else if field < self.nfields {
                    match self.kinds[field] {
                        KIND_REGION => {
                            region = value;
                            region_esc = esc;
                        }
                        KIND_PRODUCT => {
                            product = value;
                            product_esc = esc;
                        }
                        KIND_QTY => match parse_qty(value) {
                            Some(v) => qty = v,
                            None => return Err(self.fail("invalid qty")),
                        },
                        KIND_PRICE => match parse_price(value) {
                            Some(v) => price = v,
                            None => return Err(self.fail("invalid unit_price")),
                        },
                        _ => {}
                    }
                }
                field += 1;
                match term {
                    TERM_COMMA => {
                        if !self.in_header && field == self.nfields {
                            return Err(
                                self.fail(format!("too many fields (expected {})", self.nfields))
                            );
                        }
                        pos += 1; // a comma as the last byte of the file is followed by one empty field
                    }
                    TERM_LF => {
                        pos += 1;
                        nl += 1;
                        break;
                    }
                    TERM_CRLF => {
                        pos += 2;
                        nl += 1;
                        break;
                    }
                    _ => break,
                }
            }
            if self.in_header {
                self.end_header(field)?;
            } else {
                if field < self.nfields {
                    return Err(self.fail(format!(
                        "too few fields (expected {}, found {})",
                        self.nfields, field
                    )));
                }
                let [mut r_buf, mut p_buf] = std::mem::take(&mut self.unesc);
                if region_esc {
                    unescape(&mut r_buf, region);
                    region = &r_buf;
                }
                if product_esc {
                    unescape(&mut p_buf, product);
                    product = &p_buf;
                }
                let added = self.add(region, product, qty, price);
                self.unesc = [r_buf, p_buf];
                added?;
            }
            self.record += 1;
            self.line += nl;
        }
        Ok(pos)
    }

    /// Handles one data record without quotes or CR: `line` is the record without its LF. Its
    /// problems are found in the same order as by the state machine in `parse`.
    fn plain_record(&mut self, mut line: &[u8]) -> Result<(), ParseError> {
        let (mut region, mut product): (&[u8], &[u8]) = (&[], &[]);
        let (mut qty, mut price) = (0i64, 0i64);
        let mut field = 0usize;
        loop {
            let comma = memchr(b',', line);
            let value = match comma {
                Some(i) => &line[..i],
                None => line,
            };
            match self.kinds[field] {
                KIND_REGION => region = value,
                KIND_PRODUCT => product = value,
                KIND_QTY => match parse_qty(value) {
                    Some(v) => qty = v,
                    None => return Err(self.fail("invalid qty")),
                },
                KIND_PRICE => match parse_price(value) {
                    Some(v) => price = v,
                    None => return Err(self.fail("invalid unit_price")),
                },
                _ => {}
            }
            field += 1;
            let Some(i) = comma else { break };
            if field == self.nfields {
                return Err(self.fail(format!("too many fields (expected {})", self.nfields)));
            }
            line = &line[i + 1..];
        }
        if field < self.nfields {
            return Err(self.fail(format!(
                "too few fields (expected {}, found {})",
                self.nfields, field
            )));
        }
        self.add(region, product, qty, price)
    }

    /// Folds one data record into its group.
    #[inline]
    fn add(
        &mut self,
        region: &[u8],
        product: &[u8],
        qty: i64,
        price: i64,
    ) -> Result<(), ParseError> {
        self.key.clear();
        self.key
            .extend_from_slice(&(region.len() as u32).to_le_bytes());
        self.key.extend_from_slice(region);
        self.key.extend_from_slice(product);
        let idx = match self.index.get(&self.key[..]) {
            Some(&i) => i as usize,
            None => {
                let i = self.groups.len();
                self.index
                    .insert(self.key.clone().into_boxed_slice(), i as u32);
                self.groups.push(Group {
                    region: region.to_vec(),
                    product: product.to_vec(),
                    count: 0,
                    sum_qty: 0,
                    revenue: 0,
                    min_price: i64::MAX,
                    max_price: i64::MIN,
                });
                i
            }
        };
        let (sum_qty, revenue) = (self.groups[idx].sum_qty, self.groups[idx].revenue);
        let Some(s) = sum_qty.checked_add(qty) else {
            return Err(self.fail("qty sum overflows int64"));
        };
        let Some(t) = revenue.checked_add(qty * price) else {
            return Err(self.fail("revenue sum overflows int64"));
        };
        let g = &mut self.groups[idx];
        g.count += 1;
        g.sum_qty = s;
        g.revenue = t;
        g.min_price = g.min_price.min(price);
        g.max_price = g.max_price.max(price);
        Ok(())
    }

    fn header_field(&mut self, value: &[u8], esc: bool) -> Result<(), ParseError> {
        let mut owned = Vec::new();
        let value = if esc {
            unescape(&mut owned, value);
            &owned[..]
        } else {
            value
        };
        for (i, name) in COLUMN_NAMES.iter().enumerate() {
            if value == name.as_bytes() {
                if self.seen[i] {
                    return Err(self.fail(format!("duplicate column \"{name}\"")));
                }
                self.seen[i] = true;
                self.kind_at[i] = self.kinds.len();
            }
        }
        self.kinds.push(KIND_IGNORE);
        Ok(())
    }

    fn end_header(&mut self, nfields: usize) -> Result<(), ParseError> {
        for (i, name) in COLUMN_NAMES.iter().enumerate() {
            if !self.seen[i] {
                return Err(self.fail(format!("missing column \"{name}\"")));
            }
            self.kinds[self.kind_at[i]] = KIND_REGION + i as u8;
        }
        self.nfields = nfields;
        self.in_header = false;
        Ok(())
    }
}

/// Sets `dst` to `value` with every "" pair replaced by one ".
fn unescape(dst: &mut Vec<u8>, value: &[u8]) {
    dst.clear();
    let mut i = 0;
    while i < value.len() {
        dst.push(value[i]);
        i += if value[i] == b'"' { 2 } else { 1 };
    }
}

/// Accepts -?[0-9]{1,9}.
#[inline]
pub fn parse_qty(v: &[u8]) -> Option<i64> {
    let (neg, digits) = match v.first() {
        Some(b'-') => (true, &v[1..]),
        _ => (false, v),
    };
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut x = 0i64;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        x = x * 10 + d as i64;
    }
    Some(if neg { -x } else { x })
}

/// Accepts [0-9]{1,7}\.[0-9]{2} and returns cents.
#[inline]
pub fn parse_price(v: &[u8]) -> Option<i64> {
    let n = v.len();
    if !(4..=10).contains(&n) || v[n - 3] != b'.' {
        return None;
    }
    let mut x = 0i64;
    for (i, &c) in v.iter().enumerate() {
        if i == n - 3 {
            continue;
        }
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        x = x * 10 + d as i64;
    }
    Some(x)
}

/// Writes the header line and one line per group (spec: Output file).
pub fn write_output<W: Write>(w: W, groups: &[Group]) -> io::Result<()> {
    let mut bw = BufWriter::with_capacity(1 << 16, w);
    bw.write_all(b"region,product,count,sum_qty,revenue,min_price,max_price\n")?;
    let mut line = Vec::with_capacity(256);
    for g in groups {
        line.clear();
        push_field(&mut line, &g.region);
        line.push(b',');
        push_field(&mut line, &g.product);
        line.push(b',');
        line.extend_from_slice(g.count.to_string().as_bytes());
        line.push(b',');
        line.extend_from_slice(g.sum_qty.to_string().as_bytes());
        line.push(b',');
        push_cents(&mut line, g.revenue);
        line.push(b',');
        push_cents(&mut line, g.min_price);
        line.push(b',');
        push_cents(&mut line, g.max_price);
        line.push(b'\n');
        bw.write_all(&line)?;
    }
    bw.flush()
}

fn push_field(dst: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n')) {
        dst.extend_from_slice(s);
        return;
    }
    dst.push(b'"');
    for &c in s {
        if c == b'"' {
            dst.push(b'"');
        }
        dst.push(c);
    }
    dst.push(b'"');
}

pub fn push_cents(dst: &mut Vec<u8>, v: i64) {
    if v < 0 {
        dst.push(b'-');
    }
    let u = v.unsigned_abs();
    dst.extend_from_slice((u / 100).to_string().as_bytes());
    dst.extend_from_slice(&[b'.', b'0' + (u % 100 / 10) as u8, b'0' + (u % 10) as u8]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for (s, want) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("007", Some(7)),
            ("-999999999", Some(-999999999)),
            ("1234567890", None),
            ("", None),
            ("-", None),
            ("+1", None),
            ("1 ", None),
        ] {
            assert_eq!(parse_qty(s.as_bytes()), want, "qty {s:?}");
        }
        for (s, want) in [
            ("0.00", Some(0)),
            ("12.50", Some(1250)),
            ("9999999.99", Some(999999999)),
            ("12345678.00", None),
            (".50", None),
            ("1.5", None),
            ("1,50", None),
            ("1.500", None),
            ("-1.00", None),
            ("1.0a", None),
        ] {
            assert_eq!(parse_price(s.as_bytes()), want, "price {s:?}");
        }
    }

    #[test]
    fn cents() {
        for (v, want) in [
            (0, "0.00"),
            (5, "0.05"),
            (123456, "1234.56"),
            (-150, "-1.50"),
            (i64::MIN, "-92233720368547758.08"),
            (i64::MAX, "92233720368547758.07"),
        ] {
            let mut b = Vec::new();
            push_cents(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), want);
        }
    }

    #[test]
    fn qty_overflow() {
        let mut a = Aggregator::new();
        a.record = 5;
        a.line = 7;
        a.add(b"R", b"P", 1, 0).unwrap();
        a.groups[0].sum_qty = i64::MAX;
        assert_eq!(
            a.add(b"R", b"P", 1, 0).unwrap_err().to_string(),
            "record 5 (line 7): qty sum overflows int64"
        );
    }

    /// One byte per read: every record crosses a buffer end; the result must not change.
    struct OneByte<'a>(&'a [u8]);
    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    fn render(o: &Outcome) -> Vec<u8> {
        let mut v = Vec::new();
        write_output(&mut v, &o.groups).unwrap();
        v.extend_from_slice(o.summary().as_bytes());
        v
    }

    /// Tiny buffers: every record crosses buffer ends (and makes the buffer grow).
    #[test]
    fn chunking() {
        for name in ["basic", "columns", "sorting", "header-only"] {
            let data = std::fs::read(format!("../testdata/{name}.csv")).unwrap();
            let want = render(&aggregate(&data[..]).unwrap());
            for size in 1..40 {
                let got = render(&aggregate_with(OneByte(&data), size).unwrap());
                assert_eq!(want, got, "{name}, buffer {size}");
            }
        }
    }

    #[test]
    fn long_record() {
        let long = "x".repeat(3 * BUFFER_SIZE);
        let input =
            format!("region,product,qty,unit_price\n{long},P,1,1.00\nR,\"{long}\",2,2.00\n");
        let o = aggregate(input.as_bytes()).unwrap();
        assert_eq!(o.groups.len(), 2);
        assert_eq!(o.groups[0].region, b"R");
        assert_eq!(o.groups[1].region, long.as_bytes());
    }
}
