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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
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
 * (not the exporter's own) becomes one meter. Prints one JSON line.
 */
public final class MicrometerFloor {

	private static final Pattern SERIES = Pattern.compile("^(bullmq_(?!exporter_)\\w+)\\{([^}]*)\\} (\\S+)$");

	private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private MicrometerFloor() {
	}

	public static void main(String[] args) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(args[0]));
		double minSeconds = Double.parseDouble(args[1]);
		int minScrapes = Integer.parseInt(args[2]);
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		int series = 0;
		for (String line : lines) {
			Matcher matcher = SERIES.matcher(line);
			if (matcher.matches()) {
				register(registry, matcher.group(1), tags(matcher.group(2)), Double.parseDouble(matcher.group(3)));
				series++;
			}
		}
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
