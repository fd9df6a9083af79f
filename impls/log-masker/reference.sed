# The ten rules of impls/log-masker/README.md as GNU sed EREs, in the same order. An approximation
# (sed has no Luhn or Thai-ID checksum and different boundaries): used only as a reference row.
s/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/[JWT]/g
s/\b([Bb][Ee][Aa][Rr][Ee][Rr] +)[A-Za-z0-9._~+/=-]{8,}/\1[TOKEN]/g
s/\b((password|passwd|pwd|secret|api_key|apikey|access_token)"? *[=:] *"?)[^ 	"'&,;]+/\1[REDACTED]/gI
s/\b(AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|[spr]k_(live|test)_[A-Za-z0-9]{16,})\b/[API_KEY]/g
s/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/[EMAIL]/g
s/\b([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b([0-9A-Fa-f]{1,4}:){1,6}(:[0-9A-Fa-f]{1,4}){1,6}\b|::[0-9A-Fa-f]{1,4}\b/[IPV6]/g
s/\b((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b/[IPV4]/g
s/\b([0-9]{13}|[0-9]([- ])[0-9]{4}\2[0-9]{5}\2[0-9]{2}\2[0-9])\b/[THAI_ID]/g
s/\b([0-9]{13,19}|[0-9]{4}([- ])[0-9]{4}\2[0-9]{4}\2[0-9]{4})\b/[CARD]/g
s/(\+66[- ]?|\b0)[689][0-9][- ]?[0-9]{3}[- ]?[0-9]{4}\b|(\+66[- ]?2|\b02)[- ]?[0-9]{3}[- ]?[0-9]{4}\b|(\+1[- ]?)?\(?\b[0-9]{3}\)?[- ]?[0-9]{3}-[0-9]{4}\b/[PHONE]/g
