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

package io.github.bullmqmetrics.test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small, strict parser of the Prometheus text exposition format 0.0.4, for comparing
 * what an exporter serves with what BullMQ reports.
 * <p>
 * It accepts {@code # HELP} (escapes {@code \\} and {@code \n}), {@code # TYPE} and other
 * comments, label values with the escapes {@code \\}, {@code \"} and {@code \n}, blanks
 * around tokens (BullMQ separates labels with {@code ", "}), a trailing comma in a label
 * set, {@code NaN}, {@code +Inf} and {@code -Inf}, an optional timestamp, and a missing
 * final newline. Like Prometheus' own parser (and {@code promtool}) it rejects a second
 * HELP or TYPE line for one metric and a TYPE line after that metric's samples, so
 * concatenated BullMQ exports must be parsed one queue at a time.
 *
 * @author bullmq-metrics authors
 */
public final class PrometheusText {

	private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

	private static final Pattern FLOAT = Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

	private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

	private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

	private PrometheusText() {
	}

	/**
	 * One sample line.
	 *
	 * @param name the metric name, for example {@code bullmq_job_count}
	 * @param labels the labels in the order written, unescaped
	 * @param value the value ({@code NaN} and infinities included)
	 */
	public record Sample(String name, Map<String, String> labels, double value) {

		/**
		 * Create a sample, copying the labels into an unmodifiable, ordered map.
		 * @param name the metric name
		 * @param labels the labels
		 * @param value the value
		 */
		public Sample {
			labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
		}

		/**
		 * Return one label's value.
		 * @param name the label name
		 * @return the value, or {@code null} when the sample has no such label
		 */
		public String label(String name) {
			return this.labels.get(name);
		}

	}

	/**
	 * Parse a whole exposition.
	 * @param text the text, with or without a final newline
	 * @return the samples in the order written
	 * @throws IllegalArgumentException naming the line when the text is not valid
	 */
	public static List<Sample> parse(String text) {
		List<Sample> samples = new ArrayList<>();
		Map<String, String> types = new HashMap<>();
		Set<String> helps = new HashSet<>();
		Set<String> sampled = new HashSet<>();
		String[] lines = text.split("\n", -1);
		for (int i = 0; i < lines.length; i++) {
			Cursor line = new Cursor(lines[i], i + 1);
			line.skipBlanks();
			if (line.atEnd()) {
				continue;
			}
			if (line.peek() == '#') {
				parseComment(line, types, helps, sampled);
				continue;
			}
			Sample sample = parseSample(line);
			sampled.add(sample.name());
			samples.add(sample);
		}
		return Collections.unmodifiableList(samples);
	}

	/**
	 * Escape a label value as the format requires ({@code \}, {@code "} and newline).
	 * @param value the raw value
	 * @return the escaped value, without quotes
	 */
	public static String escapeLabelValue(String value) {
		return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
	}

	private static void parseComment(Cursor line, Map<String, String> types, Set<String> helps, Set<String> sampled) {
		line.expect('#');
		line.skipBlanks();
		String keyword = line.token();
		if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
			return;
		}
		line.requireBlank();
		String name = line.token();
		if (!METRIC_NAME.matcher(name).matches()) {
			throw line.error("invalid metric name '" + name + "' in " + keyword);
		}
		if (keyword.equals("HELP")) {
			if (!helps.add(name)) {
				throw line.error("second HELP line for metric name '" + name + "'");
			}
			if (!line.atEnd()) {
				line.requireBlank();
				line.helpText();
			}
			return;
		}
		line.requireBlank();
		String type = line.token();
		if (!TYPES.contains(type)) {
			throw line.error("unknown metric type '" + type + "'");
		}
		line.skipBlanks();
		if (!line.atEnd()) {
			throw line.error("unexpected text after TYPE");
		}
		if (types.putIfAbsent(name, type) != null) {
			throw line.error("second TYPE line for metric name '" + name + "'");
		}
		List<String> family = new ArrayList<>(List.of(name));
		if (type.equals("histogram")) {
			family.addAll(List.of(name + "_bucket", name + "_sum", name + "_count"));
		}
		else if (type.equals("summary")) {
			family.addAll(List.of(name + "_sum", name + "_count"));
		}
		if (family.stream().anyMatch(sampled::contains)) {
			throw line.error("TYPE line for metric name '" + name + "' after its samples");
		}
	}

	private static Sample parseSample(Cursor line) {
		String name = line.name(METRIC_NAME, "metric name");
		boolean blank = line.skipBlanks();
		Map<String, String> labels = new LinkedHashMap<>();
		if (!line.atEnd() && line.peek() == '{') {
			parseLabels(line, labels);
			line.skipBlanks();
		}
		else if (!blank) {
			throw line.error(line.atEnd() ? "missing value" : "expected a blank after the metric name");
		}
		double value = parseValue(line, line.token());
		line.skipBlanks();
		if (!line.atEnd()) {
			String timestamp = line.token();
			if (!INTEGER.matcher(timestamp).matches()) {
				throw line.error("invalid timestamp '" + timestamp + "'");
			}
			try {
				Long.parseLong(timestamp);
			}
			catch (NumberFormatException ex) {
				throw line.error("timestamp out of range '" + timestamp + "'");
			}
			line.skipBlanks();
			if (!line.atEnd()) {
				throw line.error("unexpected text after the timestamp");
			}
		}
		return new Sample(name, labels, value);
	}

	private static void parseLabels(Cursor line, Map<String, String> labels) {
		line.expect('{');
		line.skipBlanks();
		while (line.peek() != '}') {
			String label = line.name(LABEL_NAME, "label name");
			line.skipBlanks();
			line.expect('=');
			line.skipBlanks();
			String value = line.quoted();
			if (labels.putIfAbsent(label, value) != null) {
				throw line.error("duplicate label '" + label + "'");
			}
			line.skipBlanks();
			if (line.peek() == ',') {
				line.expect(',');
				line.skipBlanks();
			}
			else if (line.peek() != '}') {
				throw line.error("expected ',' or '}' after a label");
			}
		}
		line.expect('}');
	}

	private static double parseValue(Cursor line, String token) {
		switch (token.toLowerCase(Locale.ROOT)) {
			case "nan", "+nan", "-nan":
				return Double.NaN;
			case "inf", "+inf", "infinity", "+infinity":
				return Double.POSITIVE_INFINITY;
			case "-inf", "-infinity":
				return Double.NEGATIVE_INFINITY;
			default:
				if (!FLOAT.matcher(token).matches()) {
					throw line.error(token.isEmpty() ? "missing value" : "invalid value '" + token + "'");
				}
				return Double.parseDouble(token);
		}
	}

	/**
	 * A position in one line, with error messages that name the line.
	 */
	private static final class Cursor {

		private final String text;

		private final int number;

		private int position;

		Cursor(String text, int number) {
			this.text = text;
			this.number = number;
		}

		boolean atEnd() {
			return this.position >= this.text.length();
		}

		char peek() {
			if (atEnd()) {
				throw error("unexpected end of line");
			}
			return this.text.charAt(this.position);
		}

		void expect(char expected) {
			if (peek() != expected) {
				throw error("expected '" + expected + "'");
			}
			this.position++;
		}

		boolean skipBlanks() {
			int start = this.position;
			while (!atEnd() && isBlank(this.text.charAt(this.position))) {
				this.position++;
			}
			return this.position > start;
		}

		void requireBlank() {
			if (atEnd() || !isBlank(this.text.charAt(this.position))) {
				throw error(atEnd() ? "unexpected end of line" : "expected a blank");
			}
			skipBlanks();
		}

		String token() {
			int start = this.position;
			while (!atEnd() && !isBlank(this.text.charAt(this.position))) {
				this.position++;
			}
			return this.text.substring(start, this.position);
		}

		String name(Pattern pattern, String what) {
			int start = this.position;
			while (!atEnd() && isNameChar(this.text.charAt(this.position))) {
				this.position++;
			}
			String name = this.text.substring(start, this.position);
			if (!pattern.matcher(name).matches()) {
				throw error("invalid " + what + " '" + name + "'");
			}
			return name;
		}

		String quoted() {
			expect('"');
			StringBuilder value = new StringBuilder();
			while (true) {
				if (atEnd()) {
					throw error("unterminated label value");
				}
				char c = this.text.charAt(this.position++);
				if (c == '"') {
					return value.toString();
				}
				if (c != '\\') {
					value.append(c);
					continue;
				}
				if (atEnd()) {
					throw error("unterminated escape in label value");
				}
				char escaped = this.text.charAt(this.position++);
				switch (escaped) {
					case '\\' -> value.append('\\');
					case '"' -> value.append('"');
					case 'n' -> value.append('\n');
					default -> throw error("invalid escape '\\" + escaped + "' in label value");
				}
			}
		}

		String helpText() {
			StringBuilder help = new StringBuilder();
			while (!atEnd()) {
				char c = this.text.charAt(this.position++);
				if (c != '\\') {
					help.append(c);
					continue;
				}
				char escaped = atEnd() ? ' ' : this.text.charAt(this.position++);
				switch (escaped) {
					case '\\' -> help.append('\\');
					case 'n' -> help.append('\n');
					default -> throw error("invalid escape in HELP text");
				}
			}
			return help.toString();
		}

		IllegalArgumentException error(String message) {
			return new IllegalArgumentException("Invalid Prometheus text at line " + this.number + ", column "
					+ (this.position + 1) + ": " + message + ": " + this.text);
		}

		private static boolean isBlank(char c) {
			return c == ' ' || c == '\t';
		}

		private static boolean isNameChar(char c) {
			return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
		}

	}

}
