#!/bin/sh
# The nginx reference row (README: Concurrency model): nginx configured like the three
# implementations, in the foreground, with every file it writes inside OUT.
#
# usage: reference.sh OUT PORT BACKENDS     (BACKENDS: 127.0.0.1:A,127.0.0.1:B,...)
set -eu
out=$1
port=$2
backends=$3
dir="$out/nginx"
mkdir -p "$dir/tmp"

# One worker per CPU, like the implementations' runtimes. nginx's upstream keepalive is the
# number of idle connections each worker keeps for the whole group; the spec keeps 128 per
# backend in total, so each worker gets its share of 128 x backends.
workers=$(nproc)
count=$(echo "$backends" | tr ',' '\n' | grep -c .)
keepalive=$(( (128 * count + workers - 1) / workers ))
servers=$(echo "$backends" | tr ',' '\n' | sed 's/.*/        server & max_fails=1 fail_timeout=2s;/')
# As root, nginx would switch its workers to "nobody", who cannot write into OUT.
user=""
if [ "$(id -u)" = 0 ]; then user="user root;"; fi

cat > "$dir/nginx.conf" <<EOF
$user
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log stderr error;
events {
    worker_connections 8192;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    # Client side: --header-timeout-ms 10000, --max-header-bytes 16384, no request limit.
    client_header_timeout 10s;
    keepalive_timeout 10s;
    keepalive_requests 1000000;
    large_client_header_buffers 4 16k;
    upstream backends {
$servers
        keepalive $keepalive;
        keepalive_requests 1000000;
        keepalive_timeout 90s;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            # Stream both bodies instead of buffering them (to memory or temp files).
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
        }
    }
}
EOF
exec nginx -p "$dir" -c "$dir/nginx.conf" -e stderr
