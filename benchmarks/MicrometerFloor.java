/*
 * Copyright 2026 the bullmq-metrics authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * M, the benchmark's Micrometer floor: how long Micrometer's own
 * {@code PrometheusMeterRegistry.scrape()} takes for the same bullmq series that a scrape
 * of the exporter rendered, with nothing else in the registry, constant values, no HTTP
 * and no Redis. No exporter that renders these series through Micrometer can scrape
 * faster than this on the same machine.
 * <p>
 * Run by {@code bench.mjs} with the jars of the exporter's own fat jar on the class path:
 * {@code java -cp 'lib/*' MicrometerFloor.java SERIES_FILE MIN_SECONDS MIN_SCRAPES}. The
 * series file holds the exporter's text output; every {@code bullmq_} series of a queue
 * (not the exporter's own) becomes one meter, except the series of a histogram (a
 * {@code # TYPE ... histogram} family, such as the job duration timers): each of its
 * {@code _bucket}/{@code _count}/{@code _sum} groups, with its {@code _max}, becomes one
 * {@link Timer} with the same buckets, as the exporter registers it. Prints one JSON line.
 */
public final class MicrometerFloor {

	private static final Pattern SERIES = Pattern.compile("^(bullmq_(?!exporter_)\\w+)\\{([^}]*)\\} (\\S+)$");

	private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private static final Pattern HISTOGRAM = Pattern.compile("^# TYPE (bullmq_\\w+) histogram$");

	private MicrometerFloor() {
	}

	public static void main(String[] args) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(args[0]));
		double minSeconds = Double.parseDouble(args[1]);
		int minScrapes = Integer.parseInt(args[2]);
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		Set<String> histograms = new HashSet<>();
		for (String line : lines) {
			Matcher matcher = HISTOGRAM.matcher(line);
			if (matcher.matches()) {
				histograms.add(matcher.group(1));
			}
		}
		// Per histogram family and tags (without le): the bucket bounds, in seconds.
		Map<String, Map<Tags, Set<Double>>> timers = new LinkedHashMap<>();
		int series = 0;
		for (String line : lines) {
			Matcher matcher = SERIES.matcher(line);
			if (!matcher.matches()) {
				continue;
			}
			series++;
			String name = matcher.group(1);
			String family = histogramFamily(name, histograms);
			if (family == null) {
				register(registry, name, tags(matcher.group(2)), Double.parseDouble(matcher.group(3)));
				continue;
			}
			Tags tags = tags(matcher.group(2));
			Set<Double> bounds = timers.computeIfAbsent(family, (f) -> new LinkedHashMap<>())
				.computeIfAbsent(withoutLe(tags), (t) -> new TreeSet<>());
			for (Tag tag : tags) {
				if (tag.getKey().equals("le") && !tag.getValue().equals("+Inf")) {
					bounds.add(Double.parseDouble(tag.getValue()));
				}
			}
		}
		timers.forEach((family, byTags) -> byTags.forEach((tags, bounds) -> Timer
			// Micrometer adds the base unit: bullmq.job.wait renders as bullmq_job_wait_seconds.
			.builder(family.substring(0, family.length() - "_seconds".length()).replace('_', '.'))
			.tags(tags)
			.serviceLevelObjectives(bounds.stream().map((s) -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new))
			.register(registry)));
		if (series == 0) {
			throw new IllegalArgumentException("No bullmq series in " + args[0]);
		}
		// Warm up as long as the measurement, so that the JIT has compiled the scrape path.
		long warmUntil = System.nanoTime() + (long) (minSeconds * 1e9);
		for (int i = 0; i < minScrapes || System.nanoTime() < warmUntil; i++) {
			registry.scrape();
		}
		List<Double> millis = new ArrayList<>();
		long measureUntil = System.nanoTime() + (long) (minSeconds * 1e9);
		while (millis.size() < minScrapes || System.nanoTime() < measureUntil) {
			long started = System.nanoTime();
			registry.scrape();
			millis.add((System.nanoTime() - started) / 1e6);
		}
		double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		System.out.printf(Locale.ROOT, "{\"series\":%d,\"meters\":%d,\"scrapes\":%d,\"medianMs\":%.4f,\"minMs\":%.4f}%n",
				series, registry.getMeters().size(), sorted.length, median(sorted), sorted[0]);
	}

	// The histogram family a series belongs to (its _bucket, _count, _sum, and the timer's
	// own _max gauge), or null.
	private static String histogramFamily(String name, Set<String> histograms) {
		for (String suffix : new String[] { "_bucket", "_count", "_sum", "_max" }) {
			if (name.endsWith(suffix)) {
				String family = name.substring(0, name.length() - suffix.length());
				if (histograms.contains(family) && family.endsWith("_seconds")) {
					return family;
				}
			}
		}
		return null;
	}

	private static Tags withoutLe(Tags tags) {
		return Tags.of(tags.stream().filter((tag) -> !tag.getKey().equals("le")).toList());
	}

	private static Tags tags(String labels) {
		Tags tags = Tags.empty();
		Matcher matcher = LABEL.matcher(labels);
		while (matcher.find()) {
			tags = tags.and(matcher.group(1), matcher.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
		}
		return tags;
	}

	// Micrometer's Prometheus naming turns bullmq.job.count into bullmq_job_count, and adds
	// _total to a counter: the reverse gives the exporter's own meter names.
	private static void register(PrometheusMeterRegistry registry, String name, Tags tags, double value) {
		double[] holder = { value };
		if (name.endsWith("_total")) {
			String meter = name.substring(0, name.length() - "_total".length()).replace('_', '.');
			FunctionCounter.builder(meter, holder, (v) -> v[0]).tags(tags).register(registry);
		}
		else {
			Gauge.builder(name.replace('_', '.'), holder, (v) -> v[0]).tags(tags).strongReference(true).register(registry);
		}
	}

	private static double median(double[] sorted) {
		int mid = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	}

}
