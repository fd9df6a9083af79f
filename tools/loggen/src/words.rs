//! Vocabulary: English and Thai words, names, messages, hosts, paths and user agents used to fill log lines.
//!
//! Nothing here may itself look like a secret to the masker (no dotted quads, no long digit runs,
//! no `password=` style keys): secrets and near-misses are added on purpose by `secrets.rs`.

pub const FIRST_NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "oscar", "peggy", "trent", "victor", "walter", "olivia", "liam", "emma", "noah", "ava",
    "james", "sophia", "lucas", "mia", "ethan",
];

pub const LAST_NAMES: &[&str] = &[
    "smith", "johnson", "williams", "brown", "jones", "miller", "davis", "garcia", "wilson",
    "anderson", "taylor", "thomas", "moore", "martin", "lee", "walker", "hall", "young",
];

/// Romanised Thai first names (used for e-mail local parts and user names).
pub const THAI_ROMAN_NAMES: &[&str] = &[
    "somchai",
    "somying",
    "wichai",
    "malee",
    "prasert",
    "sudarat",
    "thanakorn",
    "kanjana",
    "anucha",
    "piyanuch",
    "narong",
    "siriporn",
    "kittisak",
    "pornthip",
    "chaiwat",
    "ratana",
    "apichat",
    "wanida",
];

pub const THAI_FIRST_NAMES: &[&str] = &[
    "สมชาย",
    "สมหญิง",
    "วิชัย",
    "มาลี",
    "ประเสริฐ",
    "สุดารัตน์",
    "ธนากร",
    "กาญจนา",
    "อนุชา",
    "ปิยะนุช",
    "ณรงค์",
    "ศิริพร",
    "กิตติศักดิ์",
    "พรทิพย์",
];

pub const THAI_LAST_NAMES: &[&str] = &[
    "ใจดี",
    "รักไทย",
    "ศรีสุข",
    "แก้วมณี",
    "วงศ์ใหญ่",
    "บุญมา",
    "ทองดี",
    "พรหมมา",
    "สุขสวัสดิ์",
    "มีสุข",
    "จันทร์เพ็ญ",
    "เจริญผล",
];

/// Thai log messages (complete phrases).
pub const THAI_MESSAGES: &[&str] = &[
    "ผู้ใช้เข้าสู่ระบบสำเร็จ",
    "ชำระเงินล้มเหลว",
    "ชำระเงินสำเร็จ",
    "รหัสผ่านไม่ถูกต้อง",
    "ยืนยันตัวตนสำเร็จ",
    "คำสั่งซื้อถูกยกเลิก",
    "กรุณาลองใหม่อีกครั้ง",
    "บัญชีถูกระงับชั่วคราว",
    "โอนเงินสำเร็จ",
    "ตรวจสอบเอกสาร KYC เรียบร้อย",
    "ไม่พบผู้ใช้ในระบบ",
    "เซสชันหมดอายุ กรุณาเข้าสู่ระบบใหม่",
    "อัปโหลดบัตรประชาชนเรียบร้อย",
    "ที่อยู่อีเมลไม่ถูกต้อง",
    "ระบบขัดข้องชั่วคราว",
    "การเชื่อมต่อฐานข้อมูลล้มเหลว",
    "ส่งรหัส OTP แล้ว",
    "บัตรเครดิตถูกปฏิเสธ",
    "ยอดเงินคงเหลือไม่เพียงพอ",
    "สมัครสมาชิกใหม่สำเร็จ",
    "เปลี่ยนรหัสผ่านเรียบร้อย",
    "คืนเงินให้ลูกค้าแล้ว",
];

/// Thai phrases that introduce a value (the value follows directly or after a space).
pub const THAI_LEADS_PHONE: &[&str] = &[
    "ส่งรหัส OTP ไปยังหมายเลข",
    "โทร",
    "เบอร์ติดต่อ",
    "ลูกค้าเปลี่ยนเบอร์โทรเป็น",
];

pub const THAI_LEADS_EMAIL: &[&str] = &["ส่งใบเสร็จไปที่อีเมล", "อีเมลผู้ใช้", "ยืนยันอีเมล"];

pub const THAI_LEADS_ID: &[&str] = &["เลขประจำตัวประชาชน", "ตรวจสอบบัตรประชาชนเลขที่", "เลขบัตร"];

pub const EN_MESSAGES: &[&str] = &[
    "user logged in",
    "user logged out",
    "login failed",
    "payment authorized",
    "payment declined",
    "order created",
    "order shipped",
    "cache miss",
    "cache refreshed",
    "request completed",
    "request timed out",
    "upstream unavailable, retrying",
    "session expired",
    "token refreshed",
    "password reset requested",
    "profile updated",
    "rate limit exceeded",
    "webhook delivered",
    "webhook delivery failed",
    "job started",
    "job finished",
    "connection pool exhausted",
    "slow query detected",
    "feature flag evaluated",
    "refund issued",
    "KYC document uploaded",
    "OTP verification succeeded",
    "secret rotation scheduled",
];

pub const SERVICES: &[&str] = &[
    "auth-api",
    "payment-svc",
    "order-svc",
    "kyc-svc",
    "notification-worker",
    "gateway",
    "user-profile",
    "ledger",
    "search-api",
    "checkout-web",
];

pub const HOSTS: &[&str] = &[
    "web-01",
    "web-02",
    "web-03",
    "api-07",
    "api-12",
    "worker-3",
    "worker-9",
    "db-primary",
    "bkk-edge-2",
    "sgp-edge-1",
    "ip-internal-a",
    "k8s-node-14",
];

pub const DOMAINS: &[&str] = &[
    "example.com",
    "example.co.th",
    "corp.example.org",
    "gmail.com",
    "hotmail.com",
    "yahoo.co.th",
    "outlook.com",
    "company.io",
    "mail.go.th",
    "bank.example.co.th",
    "shop.example.net",
];

pub const HTTP_HOSTS: &[&str] = &[
    "api.example.com",
    "www.example.co.th",
    "shop.example.net",
    "auth.example.com",
    "cdn.example.org",
];

pub const METHODS: &[(u32, &str)] = &[
    (60, "GET"),
    (25, "POST"),
    (6, "PUT"),
    (4, "DELETE"),
    (3, "PATCH"),
    (2, "OPTIONS"),
];

pub const STATUSES: &[(u32, u16)] = &[
    (70, 200),
    (6, 201),
    (4, 204),
    (5, 301),
    (5, 304),
    (3, 400),
    (3, 401),
    (2, 403),
    (4, 404),
    (1, 429),
    (2, 500),
    (1, 502),
    (1, 503),
];

pub const PATHS: &[&str] = &[
    "/",
    "/login",
    "/logout",
    "/api/v1/users",
    "/api/v1/orders",
    "/api/v1/payments",
    "/api/v2/accounts",
    "/api/v2/kyc/documents",
    "/checkout",
    "/cart",
    "/search",
    "/static/js/app.js",
    "/static/css/main.css",
    "/images/logo.png",
    "/favicon.ico",
    "/healthz",
    "/metrics",
    "/oauth/authorize",
    "/oauth/token",
    "/wp-login.php",
    "/robots.txt",
];

pub const PLAIN_QUERY_KEYS: &[&str] = &[
    "page",
    "limit",
    "sort",
    "lang",
    "q",
    "ref",
    "utm_source",
    "category",
    "currency",
    "filter",
];

pub const PLAIN_QUERY_VALUES: &[&str] = &[
    "asc",
    "desc",
    "th",
    "en",
    "shoes",
    "newsletter",
    "google",
    "THB",
    "USD",
    "active",
    "all",
    "electronics",
];

pub const REFERERS: &[&str] = &[
    "-",
    "https://www.google.com/",
    "https://www.example.co.th/",
    "https://shop.example.net/cart",
    "https://www.facebook.com/",
    "https://line.me/",
];

/// User agents without anything the masker would mask.
pub const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "Go-http-client/2.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "kube-probe/1.29",
    "PostmanRuntime/7.37.3",
];

/// Real-world user agents whose reduced Chrome version (`120.0.0.0`) is a dotted quad: the masker
/// masks it as an IPv4 address. Only used where the line holds a secret anyway.
pub const USER_AGENTS_DOTTED: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
];

pub const JAVA_CLASSES: &[&str] = &[
    "com.example.payment.CardService",
    "com.example.payment.ChargeController",
    "com.example.auth.LoginService",
    "com.example.auth.TokenFilter",
    "com.example.kyc.DocumentVerifier",
    "com.example.order.OrderRepository",
    "org.springframework.web.servlet.FrameworkServlet",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
    "io.netty.channel.AbstractChannelHandlerContext",
    "java.base/java.util.concurrent.ThreadPoolExecutor",
];

pub const JAVA_METHODS: &[&str] = &[
    "charge",
    "authorize",
    "doFilter",
    "verify",
    "findById",
    "processRequest",
    "invokeChannelRead",
    "runWorker",
    "login",
    "refresh",
    "handle",
];

pub const EXCEPTIONS: &[&str] = &[
    "java.lang.IllegalStateException",
    "java.lang.NullPointerException",
    "java.net.SocketTimeoutException",
    "java.sql.SQLException",
    "org.springframework.dao.DataAccessResourceFailureException",
    "com.example.payment.DeclinedException",
    "java.util.concurrent.TimeoutException",
];

pub const THREADS: &[&str] = &[
    "main",
    "http-nio-8080-exec-3",
    "http-nio-8080-exec-7",
    "scheduling-1",
    "kafka-consumer-2",
    "payment-worker-4",
    "ForkJoinPool-1-worker-5",
];

pub const SYSTEMD_UNITS: &[&str] = &[
    "nginx.service",
    "docker.service",
    "postgresql.service",
    "logrotate.service",
    "certbot.timer",
    "node-exporter.service",
];

pub const CRON_COMMANDS: &[&str] = &[
    "/usr/local/bin/backup.sh",
    "/usr/bin/find /tmp -mtime +7 -delete",
    "cd / && run-parts --report /etc/cron.hourly",
    "/opt/app/bin/rotate-keys --dry-run",
];

pub const PASSWORD_WORDS: &[&str] = &[
    "hunter2",
    "P@ssw0rd",
    "Summer2026!",
    "qwerty123",
    "letmein",
    "changeme",
    "correct-horse-battery-staple",
    "S3cr3t#Bkk",
    "admin1234",
    "iloveyou",
];

pub const CURRENCIES: &[&str] = &["THB", "THB", "THB", "USD", "EUR", "SGD", "JPY"];

pub const CARD_STATUSES: &[&str] = &[
    "approved", "declined", "pending", "refunded", "captured", "voided",
];

pub const KYC_STATUSES: &[&str] = &[
    "verified",
    "rejected",
    "pending_review",
    "expired",
    "mismatch",
];

pub const LOG_LEVELS: &[(u32, &str)] = &[(60, "info"), (15, "debug"), (15, "warn"), (10, "error")];
