#!/usr/bin/env bash
# What a Spring Boot 3.5 application gets when it adds the starter. Installs the published
# modules into a private, throwaway local repository (never into ~/.m2, which is only read),
# resolves two Spring Boot 3.5 applications against their published (flattened) POMs, prints
# the relevant part of each dependency tree, and fails when the starter changes the version
# of anything Spring Boot 3.5 manages:
#   - with-boot-parent.xml: Maven on spring-boot-starter-parent 3.5.7, as Spring Initializr
#     makes it;
#   - without-bom.xml: no parent and no BOM. Its verbose tree lists every version that any
#     POM in the graph asks for, so the check also covers resolvers where the highest version
#     wins, such as Gradle without Spring's dependency management plugin.
# Usage: .ci/boot35-consumer.sh
set -euo pipefail
cd "$(dirname "$0")/.."

private=$(mktemp -d /tmp/m2-boot35.XXXXXX)
work=$(mktemp -d)
trap 'rm -rf "$private" "$work"' EXIT
shared=${MAVEN_SHARED_REPOSITORY:-$HOME/.m2/repository}
# Maven 3.9's chained local repository: every write goes to the private one, the shared one
# is only read.
mvn_private=(./mvnw -B -q "-Dmaven.repo.local=$private" "-Dmaven.repo.local.tail=$shared")
tree=org.apache.maven.plugins:maven-dependency-plugin:3.9.0:tree

version=$(./mvnw -B -q help:evaluate -Dexpression=project.version -DforceStdout)
echo "Installing the published modules ($version) into the private repository $private"
"${mvn_private[@]}" -DskipTests install -pl bullmq-metrics-starter -am

relevant='(org\.springframework\.boot|org\.springframework|org\.springframework\.data|io\.micrometer|io\.lettuce|io\.github\.bullmqmetrics):'
for consumer in with-boot-parent without-bom; do
	for mode in plain verbose; do
		verbose=$([ "$mode" = verbose ] && echo true || echo false)
		"${mvn_private[@]}" -f ".ci/boot35-consumer/$consumer.xml" "-Dbullmq-metrics.version=$version" \
			"$tree" "-Dverbose=$verbose" "-DoutputFile=$work/$consumer-$mode.txt"
	done
	echo
	echo "$consumer.xml: resolved, the starter's part and what Spring Boot 3.5 itself brings:"
	grep -E "$relevant" "$work/$consumer-plain.txt" | grep -Ev ':(spring-boot-starter-(web|json|tomcat|logging)|spring-web|spring-webmvc):' \
		| sed 's/^/  /'
done

# group:artifact version: the versions a tree resolves, or (verbose) the highest version that
# any node asks for.
versions() {
	grep -Eo '[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:jar:[^: ]+:[a-z]+' "$1" | grep -E "^$relevant" \
		| awk -F: '{print $1 ":" $2, $4}' | sort -k1,1 -k2,2V | awk '{last[$1] = $2} END {for (ga in last) print ga, last[ga]}' \
		| sort
}

failed=0
versions "$work/with-boot-parent-plain.txt" >"$work/boot35.txt"
if grep -E '^org\.springframework\.boot:' "$work/boot35.txt" | grep -v ' 3\.5\.7$' >&2; then
	echo "with-boot-parent.xml resolves the Spring Boot artifacts above at another version than 3.5.7" >&2
	failed=1
fi
echo
echo "without-bom.xml, where the highest version asked for wins: the highest that any POM asks for"
echo "(starter's artifacts marked *), against Spring Boot 3.5.7's version:"
brought=$(sed -n '/bullmq-metrics-starter/,$p' "$work/without-bom-plain.txt" | grep -Eo '[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:jar' \
	| sed 's/:jar$//')
while read -r ga highest; do
	case "$ga" in io.github.bullmqmetrics:*) continue ;; esac
	boot35=$(awk -v ga="$ga" '$1 == ga {print $2}' "$work/boot35.txt")
	mark=$(grep -qx "$ga" <<<"$brought" && echo '*' || echo ' ')
	printf '  %s %-62s %-16s Spring Boot 3.5: %s\n' "$mark" "$ga" "$highest" "${boot35:-(not managed)}"
	if [ -z "$boot35" ]; then
		echo "    ^ not part of Spring Boot 3.5 at all: the starter drags it in" >&2
		failed=1
	elif [ "$(printf '%s\n%s\n' "$highest" "$boot35" | sort -V | tail -n 1)" != "$boot35" ]; then
		echo "    ^ a POM in the graph asks for a newer version than Spring Boot 3.5's: where the highest" \
			"version wins (Gradle without dependency management), it replaces the application's" >&2
		failed=1
	fi
done < <(versions "$work/without-bom-verbose.txt")

if [ "$failed" -ne 0 ]; then
	echo "The starter changes what a Spring Boot 3.5 application resolves (see above)." >&2
	exit 1
fi
echo
echo "A Spring Boot 3.5 application keeps Spring Boot 3.5's versions: with its parent, and where the highest version wins."
