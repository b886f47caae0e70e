# nginx.sh - a real nginx (Debian's) for the tests that download, sourced
# after lib.sh: nginx_start serves $NGINX_ROOT on 127.0.0.1:$NGINX_PORT
# with its own prefix, configuration and logs under $TMP; nginx_stop ends
# it (also on exit). The access log has one line per request:
#   METHOD URI STATUS BODY_BYTES "RANGE" "IF-RANGE" "IF-NONE-MATCH"
# /slow/ serves the same files at NGINX_SLOW_RATE (default 512k) a second;
# /tohttp/X redirects to http://.../X, /same/X to /X on the same scheme,
# /sidehttp/X serves X but redirects X.sha256 to http://.../X.sha256.
# With NGINX_PROXY_PORT set, the same nginx is also a forward proxy for
# plain http on that port: every request it gets (the absolute URI a
# client sends to a proxy) is passed to the server above, whatever host it
# names, and its request line logged to $NGINX_PROXY_LOG:
#   METHOD ABSOLUTE-URI PROTOCOL STATUS BODY_BYTES
NGINX_PREFIX="$TMP/nginx"
NGINX_ROOT="$NGINX_PREFIX/www"
NGINX_LOG="$NGINX_PREFIX/access.log"
NGINX_PROXY_LOG="$NGINX_PREFIX/proxy.log"
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$NGINX_ROOT" "$NGINX_PREFIX/tmp"

nginx_available() {
	[ -x "$NGINX_BIN" ]
}

nginx_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

nginx_conf() {
	cat > "$NGINX_PREFIX/nginx.conf" <<CONF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
worker_processes 1;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/error.log info;
events { worker_connections 128; }
http {
	log_format fleet '\$request_method \$uri \$status \$body_bytes_sent "\$http_range" "\$http_if_range" "\$http_if_none_match"';
	access_log $NGINX_LOG fleet;
	client_body_temp_path $NGINX_PREFIX/tmp/body;
	proxy_temp_path $NGINX_PREFIX/tmp/proxy;
	fastcgi_temp_path $NGINX_PREFIX/tmp/fastcgi;
	uwsgi_temp_path $NGINX_PREFIX/tmp/uwsgi;
	scgi_temp_path $NGINX_PREFIX/tmp/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $NGINX_ROOT;
		location /slow/ {
			alias $NGINX_ROOT/;
			limit_rate ${NGINX_SLOW_RATE:-512k};
		}
		# Redirects: to the same file over plain http, to the same file on
		# this server (same scheme), and only a file's .sha256 to http.
		location /tohttp/ {
			rewrite ^/tohttp/(.*)\$ http://127.0.0.1:$NGINX_PORT/\$1 redirect;
		}
		location /same/ {
			rewrite ^/same/(.*)\$ /\$1 redirect;
		}
		location ~ ^/sidehttp/.*\.sha256\$ {
			rewrite ^/sidehttp/(.*)\$ http://127.0.0.1:$NGINX_PORT/\$1 redirect;
		}
		location /sidehttp/ {
			alias $NGINX_ROOT/;
		}
	}
$( [ -n "${NGINX_PROXY_PORT:-}" ] && nginx_proxy_conf )
}
CONF
}

nginx_proxy_conf() {
	cat <<CONF
	log_format proxy '\$request \$status \$body_bytes_sent';
	server {
		listen 127.0.0.1:$NGINX_PROXY_PORT;
		access_log $NGINX_PROXY_LOG proxy;
		location / {
			proxy_pass http://127.0.0.1:$NGINX_PORT;
		}
	}
CONF
}

nginx_start() {  # nginx_start -- (re)start on $NGINX_PORT (a free one first)
	local i
	: "${NGINX_PORT:=$(nginx_free_port)}"
	nginx_conf
	"$NGINX_BIN" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log" \
		>/dev/null 2>>"$NGINX_PREFIX/start.err" || return 1
	for i in $(seq 200); do
		curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && return 0
		sleep 0.05
	done
	return 1
}

nginx_stop() {  # nginx_stop [SIGNAL] -- TERM (fast shutdown) by default
	local pid i
	[ -s "$NGINX_PREFIX/nginx.pid" ] || return 0
	pid=$(cat "$NGINX_PREFIX/nginx.pid")
	kill "-${1:-TERM}" "$pid" 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$NGINX_PREFIX/nginx.pid"
}

trap 'nginx_stop; rm -rf "$TMP"' EXIT

nginx_url() {  # nginx_url PATH
	echo "http://127.0.0.1:$NGINX_PORT/$1"
}

# nginx_bytes URI [STATUS] -- body bytes sent for URI (with that status)
nginx_bytes() {
	awk -v u="$1" -v s="${2:-}" '$2 == u && (s == "" || $3 == s) {n += $4} END {print n + 0}' "$NGINX_LOG"
}

# nginx_count URI [STATUS] -- requests for URI (with that status)
nginx_count() {
	awk -v u="$1" -v s="${2:-}" '$2 == u && (s == "" || $3 == s) {n++} END {print n + 0}' "$NGINX_LOG"
}
