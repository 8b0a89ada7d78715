#!/usr/bin/env bash
# Builds the published jars (main, sources, javadoc of autoconfigure and starter) twice from
# clean and fails when the two builds differ in any byte. Skips the tests, so it starts no Redis.
# Usage: .ci/reproducible.sh
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(bullmq-metrics-autoconfigure bullmq-metrics-starter)
copies=$(mktemp -d)
trap 'rm -rf "$copies"' EXIT

version=$(./mvnw -B -q help:evaluate -Dexpression=project.version -DforceStdout)

build() {
	echo "Build $1: release jars of ${modules[*]}"
	./mvnw -B -q -Prelease -DskipTests clean package -pl "$(IFS=,; echo "${modules[*]}")" -am
	mkdir -p "$copies/$1"
	for module in "${modules[@]}"; do
		for suffix in "" -sources -javadoc; do
			jar="$module/target/$module-$version$suffix.jar"
			if [ ! -f "$jar" ]; then
				echo "reproducible.sh: build $1 made no $jar" >&2
				exit 1
			fi
			cp "$jar" "$copies/$1/"
		done
	done
}

build 1
build 2

(cd "$copies/1" && sha256sum -- *.jar) >"$copies/1.sha256"
(cd "$copies/2" && sha256sum -- *.jar) >"$copies/2.sha256"

if ! diff -q "$copies/1.sha256" "$copies/2.sha256" >/dev/null; then
	echo "NOT REPRODUCIBLE: two clean builds of the same commit gave different jars." >&2
	for jar in $(cd "$copies/1" && ls -- *.jar); do
		if ! cmp -s "$copies/1/$jar" "$copies/2/$jar"; then
			echo "  $jar differs; entries whose size, date or CRC differ (build 1 '<', build 2 '>'):" >&2
			diff <(unzip -Zl "$copies/1/$jar" | sed '1d;$d') <(unzip -Zl "$copies/2/$jar" | sed '1d;$d') \
				| grep '^[<>]' | head -n 20 | sed 's/^/    /' >&2 || true
		fi
	done
	exit 1
fi

echo "Reproducible: both builds gave the same $(wc -l <"$copies/1.sha256") jars:"
sed 's/^/  /' "$copies/1.sha256"
