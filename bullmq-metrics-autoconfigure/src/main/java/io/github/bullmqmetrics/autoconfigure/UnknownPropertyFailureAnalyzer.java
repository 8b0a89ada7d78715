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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.Ordered;

/**
 * Explains an unknown {@code bullmq.*} property, such as {@code bullmq.queue}, by naming
 * the property that was most likely meant ("did you mean {@code bullmq.queues}?"), where
 * Spring Boot would only say that elements were left unbound. The known names come from
 * the configuration metadata that the build generates, so they never drift from the code.
 *
 * @author bullmq-metrics authors
 */
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
		implements Ordered {

	private static final String PREFIX = "bullmq.";

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<ConfigurationProperty> unknown = cause.getUnboundProperties()
			.stream()
			.filter((property) -> property.getName().toString().startsWith(PREFIX))
			.sorted(Comparator.comparing((property) -> property.getName().toString()))
			.toList();
		if (unknown.isEmpty()) {
			return null;
		}
		List<String> known = knownNames();
		StringBuilder description = new StringBuilder("bullmq-metrics does not know ")
			.append((unknown.size() == 1) ? "this property" : "these properties")
			.append(":\n");
		for (ConfigurationProperty property : unknown) {
			String name = property.getName().toString();
			description.append("\n    ").append(name);
			if (property.getOrigin() != null) {
				description.append(" (from ").append(property.getOrigin()).append(")");
			}
			String meant = closest(name, known);
			if (meant != null) {
				description.append(": did you mean '").append(meant).append("'?");
			}
		}
		return new FailureAnalysis(description.toString(),
				"Correct the name, or remove the property. The bullmq properties are:\n\n    "
						+ String.join("\n    ", known),
				cause);
	}

	/**
	 * Return the known property most like the unknown one: compared whole and by its
	 * leading parts (so {@code bullmq.metrics.tag.env} finds
	 * {@code bullmq.metrics.tags}), ignoring indexes, case and dashes.
	 */
	static @Nullable String closest(String unknown, List<String> known) {
		String[] parts = normalize(unknown.replaceAll("\\[[^]]*]", "")).split("\\.");
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (int length = parts.length; length >= 2; length--) {
			String candidate = String.join(".", Arrays.copyOfRange(parts, 0, length));
			for (String name : known) {
				int distance = distance(candidate, normalize(name));
				if (distance < bestDistance && distance <= Math.max(1, candidate.length() / 5)) {
					best = name;
					bestDistance = distance;
				}
			}
		}
		return best;
	}

	private static String normalize(String name) {
		return name.toLowerCase(Locale.ROOT).replace("-", "");
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

	@SuppressWarnings("unchecked")
	private List<String> knownNames() {
		TreeSet<String> names = new TreeSet<>();
		try {
			for (URL url : Collections.list(getClass().getClassLoader().getResources(METADATA))) {
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
		return new ArrayList<>(names);
	}

	@Override
	public int getOrder() {
		// Before Spring Boot's own analyzer of the same exception.
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
