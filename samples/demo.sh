#!/usr/bin/env bash
# Live demo of bullmq-metrics: fills Redis with real BullMQ queues (samples/demo/producer.mjs),
# starts the sample app on them and shows what it exports at /actuator/prometheus. Then real
# workers keep processing a flow of new jobs until Ctrl+C; press w (or send SIGUSR2 to the
# producer) to stop or restart them.
#
#   samples/demo.sh [--once] [--with-prometheus] [--rebuild]
#
#   --once             exit (and clean up) right after showing the metrics; same as DEMO_NO_WAIT=1
#   --with-prometheus  also start a real Prometheus on 127.0.0.1 that scrapes the app with the
#                      shipped alerts (monitoring/prometheus/bullmq-alerts.yml), and print its URL
#   --rebuild          rebuild the sample jar even if it exists
#
# Environment: REDIS_HOST (127.0.0.1), REDIS_PORT (6379), SERVER_PORT (8080), PROMETHEUS_PORT (a free one).
# If no Redis answers at REDIS_HOST:REDIS_PORT, a throwaway redis-server is started on 127.0.0.1.
# The producer obliterates and recreates its own queues 'emails', 'reports' and 'image resize'.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ONCE=0
[[ ${DEMO_NO_WAIT:-0} == 1 ]] && ONCE=1
REBUILD=0
WITH_PROMETHEUS=0
for arg in "$@"; do
	case $arg in
		--once) ONCE=1 ;;
		--with-prometheus) WITH_PROMETHEUS=1 ;;
		--rebuild) REBUILD=1 ;;
		-h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) echo "Unknown option: $arg (try --help)" >&2; exit 2 ;;
	esac
done

REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
SERVER_PORT=${SERVER_PORT:-8080}

if [[ -t 2 ]]; then say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }; else say() { printf '==> %s\n' "$*" >&2; }; fi
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed. $2"; }

# --- Clean-up: stop only what this script started, by pid -----------------------------------
APP_PID='' REDIS_PID='' PROMETHEUS_PID='' WORK_PID=''
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bullmq-demo.XXXXXX")
stop() { # pid name
	[[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 0
	say "Stopping $2 (pid $1)"
	kill "$1" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
	kill -9 "$1" 2>/dev/null || true
}
cleanup() {
	trap - EXIT INT TERM
	stop "$WORK_PID" 'the workers'
	stop "$PROMETHEUS_PID" 'prometheus'
	stop "$APP_PID" 'the sample app'
	stop "$REDIS_PID" 'redis-server'
	rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
redis_ping() { # host port
	if command -v redis-cli >/dev/null; then
		local limit=''; command -v timeout >/dev/null && limit='timeout 3' # a silent port must not hang us
		[[ $($limit redis-cli -h "$1" -p "$2" ping 2>/dev/null) == PONG ]]
	else
		(exec 3<>"/dev/tcp/$1/$2" && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null
	fi
}

need java 'Install a JDK 17 or newer.'
need node 'Install Node.js 20 or newer (with npm).'
need npm 'Install npm (it comes with Node.js).'
need curl 'Install curl.'
[[ $WITH_PROMETHEUS == 1 ]] && need prometheus 'Install the Prometheus server (Debian/Ubuntu: sudo apt-get install -y prometheus; macOS: brew install prometheus).'
port_in_use "$SERVER_PORT" && die "port $SERVER_PORT is already in use; run with SERVER_PORT=<another port>"

# --- 1. Redis ---------------------------------------------------------------------------------
if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
	say "Using the Redis at $REDIS_HOST:$REDIS_PORT (its demo queues will be recreated)"
else
	command -v redis-server >/dev/null || die "no Redis answers at $REDIS_HOST:$REDIS_PORT and redis-server is not installed.
  Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis),
  or point REDIS_HOST/REDIS_PORT at a running Redis."
	REDIS_HOST=127.0.0.1
	if port_in_use "$REDIS_PORT"; then # taken by something that is not a usable Redis: pick a free port
		REDIS_PORT=$(free_port)
	fi
	say "No Redis answers there; starting a throwaway redis-server on $REDIS_HOST:$REDIS_PORT"
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
		>"$LOG_DIR/redis.log" 2>&1 &
	REDIS_PID=$!
	for _ in $(seq 50); do
		redis_ping "$REDIS_HOST" "$REDIS_PORT" && break
		kill -0 "$REDIS_PID" 2>/dev/null || { cat "$LOG_DIR/redis.log" >&2; die 'redis-server did not start'; }
		sleep 0.2
	done
	redis_ping "$REDIS_HOST" "$REDIS_PORT" || die "redis-server did not answer PING on port $REDIS_PORT"
fi

# --- 2. Demo queues, written by real BullMQ -------------------------------------------------------
if [[ ! -d samples/demo/node_modules ]]; then
	say 'Installing the producer (npm ci in samples/demo)'
	(cd samples/demo && npm ci --no-audit --no-fund >&2)
fi
say 'Filling the demo queues with jobs in every state'
node samples/demo/producer.mjs "redis://$REDIS_HOST:$REDIS_PORT" >/dev/null || die 'the producer failed (see above)'

# --- 3. The sample app ------------------------------------------------------------------------------
VERSION=$(sed -n '/<artifactId>bullmq-metrics-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n1)
[[ -n $VERSION ]] || die 'could not read the project version from pom.xml'
JAR=samples/bullmq-metrics-sample/target/bullmq-metrics-sample-$VERSION.jar
if [[ $REBUILD == 1 || ! -f $JAR ]]; then
	say 'Building the sample jar (./mvnw -B -q -DskipTests install; the first build downloads dependencies)'
	./mvnw -B -q -DskipTests install >&2 || die 'the build failed (see above)'
	[[ -f $JAR ]] || die "the build did not produce $JAR"
fi

ARGS=(--server.address=127.0.0.1 --server.port="$SERVER_PORT"
	--spring.data.redis.host="$REDIS_HOST" --spring.data.redis.port="$REDIS_PORT")
# No queue list: the app discovers every BullMQ queue under the prefix 'bull'.
say "Starting $JAR on port $SERVER_PORT (no configuration: it discovers the queues)"
java -jar "$JAR" "${ARGS[@]}" >"$LOG_DIR/app.log" 2>&1 &
APP_PID=$!

BASE=http://localhost:$SERVER_PORT
app_died() { echo '--- the end of the app log ---' >&2; tail -n 80 "$LOG_DIR/app.log" >&2; die 'the sample app exited'; }
deadline=$((SECONDS + 60))
until [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/actuator/health") != 000 ]]; do
	kill -0 "$APP_PID" 2>/dev/null || app_died
	((SECONDS < deadline)) || { tail -n 40 "$LOG_DIR/app.log" >&2; die 'the app did not answer in 60 s'; }
	sleep 0.5
done
say "Health: $(curl -s "$BASE/actuator/health")"

# Discovery and the first read of Redis run in the background: give them a few seconds.
for _ in $(seq 20); do
	METRICS=$(curl -s "$BASE/actuator/prometheus" | grep '^bullmq_' || true)
	UP=$(grep -Ec '^bullmq_exporter_up(\{.*\})? 1(\.0)?$' <<<"$METRICS" || true)
	[[ $UP != 0 ]] && grep -q '^bullmq_job_count' <<<"$METRICS" && break
	sleep 0.5
done
say "An excerpt of curl -s $BASE/actuator/prometheus | grep '^bullmq_' (job counts of 0 left out)"
grep -E '^bullmq_(job_count|job_completed_total|job_failed_total|queue_paused|exporter_up)[{ ]' <<<"$METRICS" \
	| grep -Ev '^bullmq_(job_count|queue_paused)\{.* 0(\.0)?$' | sort || true
if [[ $UP == 0 ]]; then
	say "bullmq_exporter_up is not 1: the app could not read Redis; the end of its log:"
	tail -n 40 "$LOG_DIR/app.log" >&2
	[[ $ONCE == 1 ]] && exit 1
fi

# --- 4. Prometheus, with the shipped alerts ------------------------------------------------------
PROMETHEUS_URL=''
if [[ $WITH_PROMETHEUS == 1 ]]; then
	PROMETHEUS_PORT=${PROMETHEUS_PORT:-$(free_port)}
	port_in_use "$PROMETHEUS_PORT" && die "port $PROMETHEUS_PORT is already in use; run with PROMETHEUS_PORT=<another port>"
	PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
	# scrape_timeout stays above bullmq.metrics.timeout (2s by default): an outage is then stored
	# as bullmq_exporter_up 0, not lost in a failed scrape.
	cat >"$LOG_DIR/prometheus.yml" <<-CONFIG
		global:
		  scrape_interval: 5s
		  scrape_timeout: 4s
		  evaluation_interval: 5s
		rule_files:
		  - $PWD/monitoring/prometheus/bullmq-alerts.yml
		scrape_configs:
		  - job_name: bullmq
		    metrics_path: /actuator/prometheus
		    static_configs:
		      - targets: ['127.0.0.1:$SERVER_PORT']
	CONFIG
	say "Starting Prometheus on $PROMETHEUS_URL with monitoring/prometheus/bullmq-alerts.yml as shipped"
	prometheus --config.file="$LOG_DIR/prometheus.yml" --storage.tsdb.path="$LOG_DIR/prometheus-data" \
		--web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$LOG_DIR/prometheus.log" 2>&1 &
	PROMETHEUS_PID=$!
	prometheus_died() { tail -n 40 "$LOG_DIR/prometheus.log" >&2; die 'prometheus exited'; }
	deadline=$((SECONDS + 60))
	until [[ $(curl -s -o /dev/null -w '%{http_code}' "$PROMETHEUS_URL/-/ready") == 200 ]]; do
		kill -0 "$PROMETHEUS_PID" 2>/dev/null || prometheus_died
		((SECONDS < deadline)) || { tail -n 40 "$LOG_DIR/prometheus.log" >&2; die 'prometheus was not ready in 60 s'; }
		sleep 0.5
	done
	# What Prometheus sees, once it has scraped the app and evaluated the rules.
	prometheus_summary() {
		node -e '
			const [rules, up, alerts] = process.argv.slice(1).map((text) => JSON.parse(text).data);
			const loaded = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.type === "alerting");
			const evaluated = loaded.filter((rule) => rule.health === "ok");
			const reading = up.result.filter((series) => series.value[1] === "1").length;
			console.log(`${loaded.length} alert rules loaded, ${evaluated.length} evaluated without error; ${reading} target(s) report bullmq_exporter_up 1`);
			for (const alert of alerts.alerts) {
				console.log(`  ${alert.labels.alertname}${alert.labels.queue ? `{queue="${alert.labels.queue}"}` : ""} ${alert.state}`);
			}
			process.exit(loaded.length > 0 && evaluated.length === loaded.length && reading > 0 ? 0 : 3);
		' "$(curl -s "$PROMETHEUS_URL/api/v1/rules")" "$(curl -s "$PROMETHEUS_URL/api/v1/query?query=bullmq_exporter_up")" \
			"$(curl -s "$PROMETHEUS_URL/api/v1/alerts")"
	}
	PROMETHEUS_OK=0
	for _ in $(seq 60); do
		SUMMARY=$(prometheus_summary 2>&1) && { PROMETHEUS_OK=1; break; }
		kill -0 "$PROMETHEUS_PID" 2>/dev/null || prometheus_died
		sleep 1
	done
	say "Prometheus: $SUMMARY"
	if [[ $PROMETHEUS_OK == 0 ]]; then
		tail -n 20 "$LOG_DIR/prometheus.log" >&2
		die 'Prometheus did not scrape the app or evaluate the rules within a minute'
	fi
fi

if [[ $ONCE == 1 ]]; then
	exit 0
fi

# --- 5. Real workers on a flow of new jobs -------------------------------------------------------
node samples/demo/producer.mjs "redis://$REDIS_HOST:$REDIS_PORT" --work >"$LOG_DIR/workers.log" 2>&1 &
WORK_PID=$!
for _ in $(seq 60); do
	grep -q 'workers started' "$LOG_DIR/workers.log" && break
	kill -0 "$WORK_PID" 2>/dev/null || { cat "$LOG_DIR/workers.log" >&2; die 'the workers exited'; }
	sleep 0.5
done
WORKING=1

cat >&2 <<EOF

The sample app is running (log: $LOG_DIR/app.log). Try:
  curl -s $BASE/actuator/prometheus | grep '^bullmq_'
  curl -s $BASE/actuator/health
Redis: $REDIS_HOST:$REDIS_PORT (re-run node $PWD/samples/demo/producer.mjs redis://$REDIS_HOST:$REDIS_PORT to refill)
Workers: real BullMQ Workers process a flow of new jobs on 'emails' and 'image resize' (pid $WORK_PID, log: $LOG_DIR/workers.log)
EOF
if [[ -n $PROMETHEUS_URL ]]; then
	cat >&2 <<EOF
Prometheus: $PROMETHEUS_URL/alerts shows the shipped alerts on live data
  (import monitoring/grafana/bullmq-dashboard.json into a Grafana that uses this Prometheus to see the dashboard)
EOF
fi
if [[ -t 0 ]]; then
	echo "Press w to stop the workers (BullMQNoWorkers goes pending at once and fires after 5 minutes), w again to restart them; Ctrl+C stops everything." >&2
else
	echo "Run kill -USR2 $WORK_PID to stop the workers (BullMQNoWorkers goes pending at once and fires after 5 minutes), again to restart them; Ctrl+C stops everything." >&2
fi

# Until the app exits or Ctrl+C. The traps only note the signal: exiting from a trap while
# read -t waits crashes bash 5.2 once the clean-up outlasts the timeout.
STOP_STATUS=''
trap 'STOP_STATUS=130' INT
trap 'STOP_STATUS=143' TERM
while [[ -z $STOP_STATUS ]] && kill -0 "$APP_PID" 2>/dev/null; do
	if [[ -t 0 ]]; then
		read -r -s -n 1 -t 1 key || continue
		[[ $key == [wW] ]] && kill -USR2 "$WORK_PID" 2>/dev/null || continue
		if [[ $WORKING == 1 ]]; then
			WORKING=0
			say 'Stopping the workers; jobs keep coming'
		else
			WORKING=1
			say 'Starting the workers again'
		fi
	else
		sleep 1
	fi
done
[[ -n $STOP_STATUS ]] && exit "$STOP_STATUS"
APP_PID=''
app_died
