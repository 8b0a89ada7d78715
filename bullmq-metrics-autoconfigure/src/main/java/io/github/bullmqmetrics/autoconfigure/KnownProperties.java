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
package io.github.bullmqmetrics.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.json.JsonParserFactory;

/**
 * The {@code bullmq.*} properties this version knows, from the configuration metadata
 * that the build generates (so they never drift from the code), and which known property
 * an unknown name most likely meant.
 *
 * @author bullmq-metrics authors
 */
final class KnownProperties {

	static final String PREFIX = "bullmq.";

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private final List<String> names;

	private final List<String> normalized;

	private KnownProperties(List<String> names) {
		this.names = List.copyOf(names);
		this.normalized = names.stream().map(KnownProperties::normalize).toList();
	}

	/**
	 * Load the known properties from the metadata on the class path.
	 * @param classLoader the class loader
	 * @return the known properties
	 */
	@SuppressWarnings("unchecked")
	static KnownProperties load(@Nullable ClassLoader classLoader) {
		TreeSet<String> names = new TreeSet<>();
		ClassLoader loader = (classLoader != null) ? classLoader : KnownProperties.class.getClassLoader();
		try {
			for (URL url : Collections.list(loader.getResources(METADATA))) {
				try (InputStream in = url.openStream()) {
					Map<String, Object> metadata = JsonParserFactory.getJsonParser()
						.parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
					for (Object property : (List<Object>) metadata.getOrDefault("properties", List.of())) {
						Object name = ((Map<String, Object>) property).get("name");
						if (name instanceof String text && text.startsWith(PREFIX)) {
							names.add(text);
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new KnownProperties(new ArrayList<>(names));
	}

	/**
	 * Return the known property names, sorted.
	 * @return the names
	 */
	List<String> names() {
		return this.names;
	}

	/**
	 * Whether a property name, as a property source gives it, binds to a known property:
	 * the property itself, an element of a list ({@code bullmq.queues[0]}) or an entry of
	 * a map ({@code bullmq.metrics.tags.env}), in any of Spring Boot's relaxed forms.
	 * @param name the name
	 * @return {@code true} if it is known
	 */
	boolean isKnown(String name) {
		String candidate = normalize(withoutIndexes(name));
		for (int i = 0; i < this.names.size(); i++) {
			String known = this.normalized.get(i);
			// Environment variables come with dots for dashes (BULLMQ_METRICS_CACHE_TTL
			// is bullmq.metrics.cache.ttl): compare those without any separator.
			if (candidate.equals(known) || candidate.startsWith(known + ".")
					|| candidate.replace(".", "").equals(known.replace(".", ""))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return the known property most like an unknown one: compared whole and by its
	 * leading parts (so {@code bullmq.metrics.tag.env} finds
	 * {@code bullmq.metrics.tags}), ignoring indexes, case and dashes.
	 * @param unknown the unknown name
	 * @return the known name, or {@code null} when none is close
	 */
	@Nullable String closest(String unknown) {
		String[] parts = normalize(withoutIndexes(unknown)).split("\\.");
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (int length = parts.length; length >= 2; length--) {
			String candidate = String.join(".", Arrays.copyOfRange(parts, 0, length));
			for (int i = 0; i < this.names.size(); i++) {
				int distance = distance(candidate, this.normalized.get(i));
				if (distance < bestDistance && distance <= Math.max(1, candidate.length() / 5)) {
					best = this.names.get(i);
					bestDistance = distance;
				}
			}
		}
		return best;
	}

	private static String withoutIndexes(String name) {
		return name.replaceAll("\\[[^]]*]", "");
	}

	private static String normalize(String name) {
		return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
	}

	/** The Levenshtein distance: edits that turn one text into the other. */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
