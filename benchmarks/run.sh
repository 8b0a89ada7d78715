#!/usr/bin/env bash
# Runs the benchmark: bullmq-metrics' /actuator/prometheus against BullMQ's exportPrometheusMetrics().
#
#   benchmarks/run.sh                          # all sizes (1, 1000, 10000), without and with history
#   benchmarks/run.sh --sizes 1,1000 --rounds 5
#   benchmarks/run.sh --phases load            # only the Worker pool under load
#   benchmarks/run.sh --build ...              # rebuild the exporter jar first, even if it exists
#   benchmarks/run.sh --help                   # every option of bench.mjs
#
# Checks the prerequisites, installs the pinned npm packages (npm ci) when needed, builds the jar
# with the root ./mvnw when it is missing, then runs bench.mjs. Whatever happens (an error,
# Ctrl+C, SIGTERM), the exporter jars, the Micrometer floor, the load process and redis-server that
# the benchmark started are stopped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

die() {
	echo "run.sh: $*" >&2
	exit 1
}

BUILD=0
ARGS=()
for arg in "$@"; do
	case "$arg" in
	--build) BUILD=1 ;;
	*) ARGS+=("$arg") ;;
	esac
done

# --- Prerequisites ----------------------------------------------------------------------------
command -v node >/dev/null || die "node (20 or later) is required"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "node 20 or later is required, found $(node --version)"
command -v npm >/dev/null || die "npm is required"
JAVA="${JAVA:-java}"
command -v "$JAVA" >/dev/null || die "java (17 or later) is required"
JAVA_MAJOR="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
[ "${JAVA_MAJOR:-0}" -ge 17 ] || die "java 17 or later is required, found: $("$JAVA" -version 2>&1 | head -1)"
JAVA_BIN="$(dirname "$(readlink -f "$(command -v "$JAVA")")")"
[ -x "$JAVA_BIN/jar" ] && [ -x "$JAVA_BIN/javac" ] || die "a JDK is required, not just a JRE: no jar and javac beside $JAVA_BIN/java"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
command -v "$REDIS_SERVER" >/dev/null || die "redis-server (7.0 or later) is required on the PATH, or set REDIS_SERVER"
REDIS_VERSION="$("$REDIS_SERVER" --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')"
[ "${REDIS_VERSION%%.*}" -ge 7 ] 2>/dev/null || echo "run.sh: warning: redis-server $REDIS_VERSION; BullMQ 6 and EVAL_RO want 7.0 or later" >&2

# --- npm packages (exact versions from package-lock.json) -------------------------------------
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
	echo "run.sh: npm ci" >&2
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- The exporter jar -------------------------------------------------------------------------
VERSION="$(awk '/<artifactId>bullmq-metrics-parent<\/artifactId>/ { found = 1; next }
	found && /<version>/ { gsub(/.*<version>|<\/version>.*/, ""); print; exit }' "$ROOT/pom.xml")"
[ -n "$VERSION" ] || die "cannot read the project version from $ROOT/pom.xml"
JAR="${BENCH_JAR:-$ROOT/samples/bullmq-metrics-sample/target/bullmq-metrics-sample-$VERSION.jar}"
if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
	# package, not install: the reactor builds the sample against the modules it just built, and the
	# shared ~/.m2 is left alone.
	echo "run.sh: building $JAR (./mvnw -B -q -DskipTests package)" >&2
	(cd "$ROOT" && ./mvnw -B -q -DskipTests package) || die "the build failed"
	[ -f "$JAR" ] || die "the build did not produce $JAR"
fi

# --- Run, and clean up whatever happens -------------------------------------------------------
PID_FILE="$(mktemp "${TMPDIR:-/tmp}/bullmq-bench-pids.XXXXXX")"
BENCH_PID=""

cleanup() {
	local status=$?
	trap - EXIT INT TERM HUP
	if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
		kill -TERM "$BENCH_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$BENCH_PID" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$BENCH_PID" 2>/dev/null || true
	fi
	# bench.mjs stops its own processes; this catches any it could not (e.g. it was SIGKILLed).
	while read -r pid role; do
		[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
		case "$(tr '\0' ' ' <"/proc/$pid/cmdline")" in
		*redis-server* | *bullmq-metrics-sample* | *MicrometerFloor.java* | *load.mjs*)
			echo "run.sh: stopping leftover $role (pid $pid)" >&2
			kill -TERM "$pid" 2>/dev/null || true
			sleep 1
			kill -KILL "$pid" 2>/dev/null || true
			;;
		esac
	done <"$PID_FILE"
	rm -f "$PID_FILE"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# In the background and waited for, so that a signal to this script is handled at once.
node --expose-gc --max-old-space-size="${BENCH_NODE_HEAP_MB:-12288}" "$HERE/bench.mjs" \
	--jar "$JAR" --java "$JAVA" --redis-server "$REDIS_SERVER" --pid-file "$PID_FILE" \
	${ARGS[@]+"${ARGS[@]}"} &
BENCH_PID=$!
wait "$BENCH_PID"
