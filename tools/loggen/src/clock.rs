//! Simulated wall clock: a millisecond counter that moves forward a little every line, rendered as
//! ISO 8601, nginx, syslog and Java-style timestamps (integer arithmetic only).

/// 2026-11-26T00:00:00Z in milliseconds since the Unix epoch.
const BASE_MS: u64 = 1_795_651_200_000;
/// Offset of the logs' local time (Asia/Bangkok, +07:00).
const LOCAL_OFFSET_MS: u64 = 7 * 3_600_000;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub struct Clock {
    ms: u64,
}

/// Broken-down time.
struct Civil {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    min: u64,
    sec: u64,
    milli: u64,
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`, for dates
/// after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn civil(ms: u64) -> Civil {
    let secs = ms / 1000;
    let (year, month, day) = civil_from_days(secs / 86_400);
    let sod = secs % 86_400;
    Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        min: sod / 60 % 60,
        sec: sod % 60,
        milli: ms % 1000,
    }
}

fn push2(out: &mut Vec<u8>, v: u64) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push3(out: &mut Vec<u8>, v: u64) {
    out.push(b'0' + (v / 100 % 10) as u8);
    push2(out, v % 100);
}

fn push4(out: &mut Vec<u8>, v: u64) {
    push2(out, v / 100);
    push2(out, v % 100);
}

fn push_hms(out: &mut Vec<u8>, c: &Civil) {
    push2(out, c.hour);
    out.push(b':');
    push2(out, c.min);
    out.push(b':');
    push2(out, c.sec);
}

fn push_ymd(out: &mut Vec<u8>, c: &Civil) {
    push4(out, c.year);
    out.push(b'-');
    push2(out, c.month);
    out.push(b'-');
    push2(out, c.day);
}

impl Clock {
    /// Starts at a seed-dependent second of 2026-11-26.
    pub fn new(start_offset_s: u64) -> Self {
        Self {
            ms: BASE_MS + start_offset_s % 86_400 * 1000,
        }
    }

    pub fn advance(&mut self, ms: u64) {
        self.ms += ms;
    }

    pub fn epoch_secs(&self) -> u64 {
        self.ms / 1000
    }

    /// `2026-11-26T01:12:22.123Z`
    pub fn iso(&self, out: &mut Vec<u8>) {
        let c = civil(self.ms);
        push_ymd(out, &c);
        out.push(b'T');
        push_hms(out, &c);
        out.push(b'.');
        push3(out, c.milli);
        out.push(b'Z');
    }

    /// `2026-11-26T08:12:22.123+07:00`
    pub fn iso_local(&self, out: &mut Vec<u8>) {
        let c = civil(self.ms + LOCAL_OFFSET_MS);
        push_ymd(out, &c);
        out.push(b'T');
        push_hms(out, &c);
        out.push(b'.');
        push3(out, c.milli);
        out.extend_from_slice(b"+07:00");
    }

    /// `26/Nov/2026:08:12:22 +0700` (nginx/Apache `$time_local`).
    pub fn nginx(&self, out: &mut Vec<u8>) {
        let c = civil(self.ms + LOCAL_OFFSET_MS);
        push2(out, c.day);
        out.push(b'/');
        out.extend_from_slice(MONTHS[(c.month - 1) as usize].as_bytes());
        out.push(b'/');
        push4(out, c.year);
        out.push(b':');
        push_hms(out, &c);
        out.extend_from_slice(b" +0700");
    }

    /// `Nov 26 08:12:22` (BSD syslog, day padded with a space).
    pub fn syslog(&self, out: &mut Vec<u8>) {
        let c = civil(self.ms + LOCAL_OFFSET_MS);
        out.extend_from_slice(MONTHS[(c.month - 1) as usize].as_bytes());
        out.push(b' ');
        if c.day < 10 {
            out.push(b' ');
            out.push(b'0' + c.day as u8);
        } else {
            push2(out, c.day);
        }
        out.push(b' ');
        push_hms(out, &c);
    }

    /// `Thu, 26 Nov 2026 01:12:22 GMT` (HTTP `Date` header).
    pub fn http_date(&self, out: &mut Vec<u8>) {
        const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let c = civil(self.ms);
        out.extend_from_slice(WEEKDAYS[(self.ms / 86_400_000 % 7) as usize].as_bytes());
        out.extend_from_slice(b", ");
        push2(out, c.day);
        out.push(b' ');
        out.extend_from_slice(MONTHS[(c.month - 1) as usize].as_bytes());
        out.push(b' ');
        push4(out, c.year);
        out.push(b' ');
        push_hms(out, &c);
        out.extend_from_slice(b" GMT");
    }

    /// `2026-11-26 08:12:22.123` (Java/Python logging, local time).
    pub fn java(&self, out: &mut Vec<u8>) {
        let c = civil(self.ms + LOCAL_OFFSET_MS);
        push_ymd(out, &c);
        out.push(b' ');
        push_hms(out, &c);
        out.push(b'.');
        push3(out, c.milli);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_instant() {
        let mut c = Clock::new(0);
        c.advance(4_342_123); // 01:12:22.123 UTC
        let mut out = Vec::new();
        c.iso(&mut out);
        out.push(b'|');
        c.iso_local(&mut out);
        out.push(b'|');
        c.nginx(&mut out);
        out.push(b'|');
        c.syslog(&mut out);
        out.push(b'|');
        c.java(&mut out);
        out.push(b'|');
        c.http_date(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2026-11-26T01:12:22.123Z|2026-11-26T08:12:22.123+07:00|26/Nov/2026:08:12:22 +0700|\
             Nov 26 08:12:22|2026-11-26 08:12:22.123|Thu, 26 Nov 2026 01:12:22 GMT"
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(BASE_MS / 86_400_000), (2026, 11, 26));
        assert_eq!(civil_from_days(BASE_MS / 86_400_000 + 36), (2027, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
